"""The admin interface: `flask --app thidua ...`."""
from __future__ import annotations

import getpass
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from thidua.extensions import db

demo_cli = AppGroup("demo", help="Dữ liệu mẫu.")
users_cli = AppGroup("users", help="Tài khoản.")
units_cli = AppGroup("units", help="Danh mục đơn vị.")
backup_cli = AppGroup("backup", help="Sao lưu và khôi phục cơ sở dữ liệu cùng các tệp đã lưu.")


def init_app(app) -> None:
    for group in (demo_cli, users_cli, units_cli, backup_cli):
        app.cli.add_command(group)


def print_logins(logins, password: str) -> None:
    click.echo("")
    click.echo("Tài khoản dùng thử (mật khẩu chung: %s)" % password)
    for login in logins:
        click.echo(f"  {login.username:<22} {login.role_label:<28} {login.note}")
    click.echo("  Mỗi đơn vị còn có <mã đơn vị>.ht (thủ trưởng) và <mã đơn vị>.cb (cán bộ đầu mối).")
    click.echo("")


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Bỏ qua, không báo lỗi, nếu cơ sở dữ liệu đã có dữ liệu.")
def demo_load(if_empty: bool) -> None:
    """Nạp dữ liệu mẫu vào cơ sở dữ liệu trống."""
    from thidua import demo
    from thidua.units.models import Unit

    if db.session.scalar(sa.select(sa.func.count()).select_from(Unit)):
        if if_empty:
            click.echo("Cơ sở dữ liệu đã có dữ liệu; không nạp lại dữ liệu mẫu.")
            print_logins(demo.all_logins(), demo.PASSWORD)
            return
        raise click.ClickException("Cơ sở dữ liệu đã có dữ liệu; dữ liệu mẫu chỉ nạp vào cơ sở dữ liệu trống.")
    logins = demo.load()
    db.session.commit()
    click.echo("Đã nạp dữ liệu mẫu.")
    print_logins(logins, demo.PASSWORD)


@demo_cli.command("logins")
def demo_logins() -> None:
    """In các tài khoản dùng thử."""
    from thidua import demo

    print_logins(demo.all_logins(), demo.PASSWORD)


@users_cli.command("create")
@click.option("--username", required=True)
@click.option("--full-name", required=True)
@click.option("--role", required=True, type=click.Choice(["unit_editor", "unit_head", "secretariat", "reviewer", "leader"]))
@click.option("--unit", "unit_code", help="Mã đơn vị (bắt buộc với tài khoản của đơn vị).")
@click.option("--organiser", "organiser_code",
              help="Mã đơn vị tổ chức phong trào mà tài khoản Văn phòng, Lãnh đạo, Hội đồng làm việc cho "
                   "(mặc định: cấp cao nhất).")
@click.option("--password", help="Bỏ trống để nhập khi chạy.")
def users_create(username, full_name, role, unit_code, organiser_code, password) -> None:
    """Tạo tài khoản."""
    from thidua.auth.services import AccountError, create_user
    from thidua.units.models import Unit

    unit_id = None
    if unit_code:
        unit_id = db.session.scalar(sa.select(Unit.id).where(Unit.code == unit_code))
        if unit_id is None:
            raise click.ClickException(f"Không có đơn vị mã “{unit_code}”.")
    organiser_id = None
    if organiser_code:
        organiser_id = db.session.scalar(sa.select(Unit.id).where(Unit.code == organiser_code,
                                                                  Unit.is_organiser.is_(True)))
        if organiser_id is None:
            raise click.ClickException(f"Không có đơn vị tổ chức phong trào mã “{organiser_code}”.")
    password = password or getpass.getpass("Mật khẩu: ")
    if len(password) < current_app.config["PASSWORD_MIN_LENGTH"]:
        raise click.ClickException("Mật khẩu cần ít nhất 8 ký tự.")
    try:
        user = create_user(actor=None, username=username.lower(), password=password, full_name=full_name,
                           role=role, unit_id=unit_id, organiser_id=organiser_id)
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Đã tạo tài khoản {user.username}.")


@users_cli.command("bulk-create")
@click.option("--roles", default="unit_head,unit_editor", show_default=True,
              help="Vai trò cần có ở mỗi đơn vị: unit_head, unit_editor (cách nhau bởi dấu phẩy).")
@click.option("--block", help="Chỉ các đơn vị của khối này.")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Tệp Excel (.xlsx) ghi danh sách tài khoản, kèm mật khẩu ban đầu của các tài khoản mới.")
def users_bulk_create(roles, block, out_path: Path) -> None:
    """Tạo tài khoản còn thiếu cho mọi đơn vị trong danh mục (thủ trưởng, cán bộ đầu mối)."""
    import shutil

    from thidua.auth.roles import UNIT_ROLES, Role
    from thidua.auth.services import account_list_workbook, issue_unit_accounts

    try:
        chosen = [Role(value.strip()) for value in roles.split(",") if value.strip()]
    except ValueError as error:
        raise click.ClickException(f"Vai trò không hợp lệ: {error}") from error
    if not chosen or any(role not in UNIT_ROLES for role in chosen):
        raise click.ClickException("Chỉ dùng được vai trò unit_head và unit_editor.")
    lines = issue_unit_accounts(actor=None, roles=chosen, block=block)
    workbook = account_list_workbook(lines, title="DANH SÁCH TÀI KHOẢN ĐƠN VỊ")
    with open(out_path, "wb") as handle:
        shutil.copyfileobj(workbook.saved(), handle)
    out_path.chmod(0o600)  # it holds initial passwords
    db.session.commit()
    new = sum(1 for line in lines if line.password)
    click.echo(f"Đã tạo {new} tài khoản mới; {len(lines) - new} tài khoản đã có. Danh sách: {out_path}")


@units_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--good-rows", is_flag=True, help="Nhập các dòng hợp lệ, bỏ qua các dòng có lỗi.")
def units_import(path: Path, good_rows: bool) -> None:
    """Nhập danh mục đơn vị từ tệp XLSX hoặc CSV."""
    from thidua.units.importer import ImportRefused, plan_import, apply_plan

    plan = plan_import(path.name, path.read_bytes())
    for message in plan.messages():
        click.echo(message, err=True)
    try:
        counts = apply_plan(plan, actor=None, include_good_rows_only=good_rows)
    except ImportRefused as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(
        f"Đã nhập: {counts['created']} đơn vị mới, {counts['updated']} cập nhật, "
        f"{counts['unchanged']} không đổi, {counts['skipped']} dòng bỏ qua."
    )


@backup_cli.command("create")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_create(path: Path) -> None:
    """Ghi toàn bộ dữ liệu và các tệp đã lưu vào một tệp sao lưu (.tar.gz)."""
    from thidua.backup import create_backup

    summary = create_backup(path)
    rows = sum(summary.tables.values())
    click.echo(f"Đã sao lưu {rows} dòng của {len(summary.tables)} bảng và {summary.files} tệp "
               f"({summary.bytes} byte) vào {path}.")


@backup_cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Xoá dữ liệu hiện có trước khi khôi phục.")
def backup_restore(path: Path, force: bool) -> None:
    """Khôi phục dữ liệu và các tệp từ một tệp sao lưu vào cơ sở dữ liệu trống."""
    from thidua.backup import BackupError, restore_backup

    try:
        summary = restore_backup(path, force=force)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    rows = sum(summary.tables.values())
    click.echo(f"Đã khôi phục {rows} dòng của {len(summary.tables)} bảng và {summary.files} tệp.")
