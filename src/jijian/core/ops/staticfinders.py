"""Front-end packages installed from npm (package-lock.json) are served locally, never from a CDN.
Only the files the pages use are exposed: the packages' dist folders hold tens of megabytes of source
maps and variants that collectstatic would otherwise copy and compress at every start."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

# static path -> file below node_modules
VENDOR_FILES = {
    "vendor/echarts/echarts.min.js": "echarts/dist/echarts.min.js",
}


class VendorFinder(BaseFinder):
    def __init__(self, *args, **kwargs):
        self.root = Path(settings.PROJECT_DIR) / "node_modules"
        self.storage = FileSystemStorage(location=str(self.root))

    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        rel = VENDOR_FILES.get(path)
        if rel and (self.root / rel).exists():
            match = str(self.root / rel)
            return [match] if find_all or kwargs.get("all") else match
        return []

    def list(self, ignore_patterns):
        storage = _MappedStorage(self.storage)
        for static_path, rel in VENDOR_FILES.items():
            if (self.root / rel).exists():
                yield static_path, storage


class _MappedStorage:
    """Makes collectstatic read node_modules/<rel> when it asks for the static path."""

    prefix = None

    def __init__(self, storage):
        self._storage = storage
        self.location = storage.location

    def open(self, path, mode="rb"):
        return self._storage.open(VENDOR_FILES[path], mode)

    def path(self, path):
        return self._storage.path(VENDOR_FILES[path])

    def get_modified_time(self, path):
        return self._storage.get_modified_time(VENDOR_FILES[path])
