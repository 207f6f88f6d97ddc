"""`flask --app thidua reminders ...`: the timed reminders without RQ (system cron, embedded default)."""
from __future__ import annotations

import click

from thidua.notifications import bp


@bp.cli.command("run-due")
@click.option("--dry-run", is_flag=True, help="Chỉ liệt kê các lượt nhắc đến hạn, không gửi.")
def run_due(dry_run: bool) -> None:
    """Gửi nhắc việc 7, 3 và 1 ngày trước hạn (các đợt và báo cáo chỉ tiêu) cho các đơn vị chưa nộp (chạy ngay)."""
    from thidua.notifications import services, target_reminders
    from thidua.jobs.models import JobStatus
    from thidua.notifications.jobs import start_due_reminders
    from thidua.timeutil import format_date

    if dry_run:
        due = services.due_reminders()
        for reminder in due:
            click.echo(f"{reminder.campaign.name} · {reminder.phase.label} · {reminder.unit.display_name} · "
                       f"hạn {format_date(reminder.deadline)} · {reminder.milestone}")
        due_targets = target_reminders.due_target_reminders()
        for reminder in due_targets:
            click.echo(f"{reminder.campaign.name} · Chỉ tiêu: {reminder.round.name} · {reminder.unit.display_name} · "
                       f"hạn {format_date(reminder.deadline)} · {reminder.milestone}")
        click.echo(f"{len(due) + len(due_targets)} lượt nhắc đến hạn.")
        return
    job = start_due_reminders(run_here=True)
    if job.status != JobStatus.DONE:
        raise click.ClickException(f"Công việc #{job.id} gặp lỗi: {job.error}")
    result = job.result or {}
    click.echo(f"Công việc #{job.id}: " + " ".join(str(v) for k, v in result.items() if k != "details"))
