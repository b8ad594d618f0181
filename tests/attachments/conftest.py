import pytest


@pytest.fixture(autouse=True)
def files_dir(settings, tmp_path):
    """Every test here stores files under its own tmp_path, never in the checkout."""
    root = tmp_path / "files"
    settings.FILES_DIR = root
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    return root
