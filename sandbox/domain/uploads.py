"""Where uploaded files "live" (escrow images, dispute evidence, category images)."""




def cdn_url(folder: str, name: str, filename: str, default_ext: str) -> str:
    """Where an uploaded file "lives": Payluk's CDN pattern (cdn.payluk.ng/<folder>/<name>.<ext>);
    the sandbox keeps no bytes, so the URL does not resolve."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else default_ext
    ext = ext if ext.isalnum() and len(ext) <= 5 else default_ext
    return f"https://cdn.payluk.ng/{folder}/{name}.{ext}"
