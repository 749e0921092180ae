"""The drift check (`payluk-sandbox conformance`): one scripted tour of the Payluk API run against
two hosts in lockstep and their answers compared.

  * tour.py    the steps as data (each read-only or money-moving, some needing sandbox controls);
  * hosts.py   a host at a URL (requests) or a sandbox in this process (Flask's test client);
  * runner.py  the lockstep run, each host with its own ids, tokens and amounts;
  * compare.py what counts as a difference (status, message, fields and types, lifecycle values,
               derived numbers) and what never does (raw ids, tokens, times, amounts);
  * report.py  text, JSON and JUnit XML;
  * command.py the command line.
"""
