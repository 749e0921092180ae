"""Where a namespace's state lives: `memory` (one process) and `redis` (shared by workers and
replicas). The domain sees a namespace only through the operations the stores share."""
