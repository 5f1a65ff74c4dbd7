"""The TOTP second factor and its recovery codes, kept by django-otp.

Setting one up: an unconfirmed TOTP device is made once and shown as a QR code until a code
from the app confirms it; confirming issues ten single-use recovery codes (a django-otp static
device). Verifying: a code is tried on every confirmed device of the user, under django-otp's
throttling (each wrong code doubles the wait before the next try is accepted)."""

from base64 import b32encode

import segno
from django.db import transaction
from django_otp import devices_for_user, user_has_device
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
RECOVERY_CODE_COUNT = 10


def _normalised(token: str) -> str:
    return "".join(token.split()).lower()


def has_second_factor(user) -> bool:
    return user_has_device(user, confirmed=True)


def has_authenticator_app(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def totp_enrolment_device(*, user) -> TOTPDevice:
    """The device being set up: the same one (and so the same QR code) until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)


def totp_enrolment_confirm(*, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirms the device when ``token`` is its current code, and returns new recovery codes
    (shown once); None when the code is wrong."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if device.confirmed or not device.verify_token(_normalised(token)):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        return recovery_codes_issue(user=device.user)


def recovery_codes_issue(*, user) -> list[str]:
    """Replaces the user's recovery codes with new ones."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def second_factor_check(*, user, token: str) -> Device | None:
    """The confirmed device that accepts ``token`` (an app code, or a recovery code, which is
    then used up), or None."""
    token = _normalised(token)
    if not token:
        return None
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if device.verify_token(token):
                return device
    return None


def qr_code_data_uri(text: str) -> str:
    """A QR code as an SVG data: URI, drawn here: no external service sees the secret."""
    return segno.make(text, error="m").svg_data_uri(scale=5, border=4)


def secret_for_typing(device: TOTPDevice) -> str:
    """The base32 secret in groups of four, for apps that cannot scan."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
