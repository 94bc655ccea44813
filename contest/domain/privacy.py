"""Masking of personal data shown outside the organiser's view."""


def mask_id_number(number: str | None) -> str:
    """Hide all but the first four and last four characters: 4104**********0995."""
    if not number:
        return ""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_phone(phone: str | None) -> str:
    """Hide the middle of a phone number: 138****5678."""
    if not phone:
        return ""
    if len(phone) <= 7:
        return phone[:1] + "*" * (len(phone) - 1)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
