from celery import shared_task

from portal import services


@shared_task
def sign_in_records_purge() -> str:
    codes, sign_ins = services.sign_in_records_purge()
    return f"Deleted {codes} sign-in codes and {sign_ins} sign-in log rows."
