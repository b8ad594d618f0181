from django.core import checks


@checks.register(checks.Tags.security)
def keyring_loads(app_configs, **kwargs):
    """Fail `check`/start-up when the keys are missing or malformed (message names the setting)."""
    from jijian.core.sensitive.crypto import keyring

    keyring()
    return []
