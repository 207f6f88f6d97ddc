"""The demo's ward: UBND phường Cầu Giấy, an organiser under the Sở with ten schools of its own.

Since 2025 the kindergartens, primary and lower-secondary schools formerly under a Phòng GD&ĐT sit
under a ward. The ward runs its own 2024 campaign over its schools (feeding the Sở's 2024
campaign), with its own secretariat, leader and committee: the schools registered and reported,
the committee scored, the award list was decided, and the two best models were proposed to the
Sở. Everything goes through the same services as in the Sở's 2023 campaign, at moments before the
Sở's 2024 campaign opened.
"""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from thidua.auth.models import User
from thidua.auth.roles import Role
from thidua.campaigns import services as campaign_services
from thidua.campaigns.models import Campaign
from thidua.extensions import db
from thidua.units.models import Unit
from thidua.workflow import State, transition

WARD_CODE = "ubnd-phuong-cau-giay"
WARD_NAME = "Ủy ban nhân dân phường Cầu Giấy"
WARD_SHORT = "UBND phường Cầu Giấy"
BLOCKS = {"mn": "Khối Mầm non", "th": "Khối Tiểu học", "thcs": "Khối THCS"}

# code, name, unit type
SCHOOLS = [
    ("mn-dich-vong", "Trường Mầm non Dịch Vọng", "mn"),
    ("mn-mai-dich", "Trường Mầm non Mai Dịch", "mn"),
    ("mn-nghia-tan", "Trường Mầm non Nghĩa Tân", "mn"),
    ("th-dich-vong-a", "Trường Tiểu học Dịch Vọng A", "th"),
    ("th-nghia-tan", "Trường Tiểu học Nghĩa Tân", "th"),
    ("th-quan-hoa", "Trường Tiểu học Quan Hoa", "th"),
    ("th-yen-hoa", "Trường Tiểu học Yên Hòa", "th"),
    ("thcs-cau-giay", "Trường THCS Cầu Giấy", "thcs"),
    ("thcs-nghia-tan", "Trường THCS Nghĩa Tân", "thcs"),
    ("thcs-yen-hoa", "Trường THCS Yên Hòa", "thcs"),
]


def _login(*args):
    from thidua.demo import DemoLogin
    return DemoLogin(*args)


WARD_LOGINS = [
    _login("phuong.vanphong", Role.SECRETARIAT, "Nguyễn Thị Hồng Nhung", WARD_CODE,
           "Thường trực CCHC, UBND phường Cầu Giấy"),
    _login("phuong.lanhdao", Role.LEADER, "Phạm Quang Huy", WARD_CODE, "Chủ tịch UBND phường, phê duyệt",
           "Lãnh đạo phường"),
    _login("phuong.hoidong1", Role.REVIEWER, "Lê Thị Thanh Hương", WARD_CODE, "Chủ tịch Hội đồng phường"),
    _login("phuong.hoidong2", Role.REVIEWER, "Trịnh Văn Bình", WARD_CODE, "thành viên Hội đồng phường"),
    _login("phuong.hoidong3", Role.REVIEWER, "Đào Thị Mai Phương", WARD_CODE, "thành viên Hội đồng phường"),
]

# school, kind, area, title, need, result, indicator (name, unit, before, after), self-assessment, reported
INITIATIVES = [
    ("mn-dich-vong", "giai_phap", "tai_chinh_cong",
     "Thu học phí, tiền ăn bán trú không dùng tiền mặt qua ứng dụng ngân hàng và mã QR",
     "Cha mẹ trẻ phải đến trường nộp tiền mặt hằng tháng; kế toán mất nhiều ngày đối chiếu, dễ nhầm lẫn.",
     "100% khoản thu được nộp qua ngân hàng; biên lai điện tử gửi cho cha mẹ ngay khi nộp.",
     ("Thời gian đối soát khoản thu mỗi tháng", "ngày", Decimal(5), Decimal("0.5")), "xuat_sac", True),
    ("mn-mai-dich", "giai_phap", "chinh_quyen_so",
     "Số hóa hồ sơ tuyển sinh và sổ theo dõi trẻ trên phần mềm quản lý mầm non",
     "Hồ sơ trẻ lưu bằng giấy ở nhiều nơi, khó tra cứu khi chuyển lớp, chuyển trường.",
     "Toàn bộ hồ sơ của 420 trẻ được số hóa; tra cứu hồ sơ mất dưới một phút.",
     ("Hồ sơ trẻ được số hóa", "%", Decimal(0), Decimal(100)), "tot", True),
    ("mn-nghia-tan", "mo_hinh", "chinh_quyen_so",
     "Sổ liên lạc điện tử giữa nhà trường và cha mẹ trẻ qua Zalo OA của trường",
     "Thông báo của nhà trường đến cha mẹ chậm, không theo dõi được ai đã đọc.",
     "Thông báo đến 100% cha mẹ trong ngày; phản hồi của cha mẹ được trả lời trong 24 giờ.",
     ("Cha mẹ nhận thông báo trong ngày", "%", Decimal(60), Decimal(100)), "hoan_thanh", False),
    ("th-dich-vong-a", "mo_hinh", "tthc",
     "Tổ hỗ trợ cha mẹ học sinh đăng ký tuyển sinh trực tuyến vào lớp 1",
     "Nhiều cha mẹ lúng túng khi đăng ký tuyển sinh trực tuyến, phải nộp lại hồ sơ giấy.",
     "98% hồ sơ tuyển sinh lớp 1 được nộp trực tuyến; không còn cha mẹ xếp hàng nộp hồ sơ.",
     ("Hồ sơ tuyển sinh nộp trực tuyến", "%", Decimal(62), Decimal(98)), "xuat_sac", True),
    ("th-nghia-tan", "giai_phap", "chinh_quyen_so",
     "Học bạ số cấp tiểu học: ký số và lưu trữ học bạ điện tử",
     "Học bạ giấy phải ký, đóng dấu thủ công; việc lưu trữ và cấp lại mất nhiều thời gian.",
     "1.150 học bạ được ký số; cấp bản sao học bạ trong ngày thay vì 3 ngày.",
     ("Thời gian cấp bản sao học bạ", "ngày", Decimal(3), Decimal("0.5")), "tot", True),
    ("th-quan-hoa", "giai_phap", "tthc",
     "Một cửa tại trường: tiếp nhận và trả kết quả xác nhận, chuyển trường trong một ngày làm việc",
     "Thủ tục xác nhận học sinh, chuyển trường qua nhiều người, thời gian giải quyết không thống nhất.",
     "Mọi hồ sơ được giải quyết trong một ngày làm việc, có phiếu hẹn và sổ theo dõi.",
     ("Thời gian giải quyết hồ sơ chuyển trường", "ngày", Decimal(5), Decimal(1)), "tot", True),
    ("th-yen-hoa", "giai_phap", "tai_chinh_cong",
     "Công khai thu, chi và quyết toán kinh phí trên cổng thông tin điện tử của trường",
     "Cha mẹ học sinh chưa nắm được các khoản thu, chi; nhiều ý kiến thắc mắc mỗi đầu năm học.",
     "Các khoản thu, chi được công khai hằng tháng; ý kiến thắc mắc giảm rõ rệt.",
     ("Ý kiến thắc mắc về các khoản thu", "ý kiến", Decimal(46), Decimal(7)), "hoan_thanh", True),
    ("th-yen-hoa", "sang_kien", "chi_dao_dieu_hanh",
     "Số hóa văn bản đi, đến và ký số văn bản của nhà trường",
     "Văn bản giấy luân chuyển chậm giữa Ban giám hiệu và các tổ chuyên môn.",
     "100% văn bản đi được ký số; văn bản đến được phân công xử lý trong ngày.",
     ("Văn bản đi được ký số", "%", Decimal(15), Decimal(100)), "hoan_thanh", True),
    ("thcs-cau-giay", "mo_hinh", "chinh_quyen_so",
     "Mô hình “Trường học số”: hồ sơ giáo viên, lịch báo giảng và sổ điểm trên một nền tảng",
     "Giáo viên phải nhập cùng số liệu vào nhiều phần mềm và sổ sách giấy.",
     "Giáo viên nhập một lần, dùng cho mọi báo cáo; giảm 60% thời gian làm hồ sơ sổ sách.",
     ("Thời gian làm hồ sơ sổ sách mỗi tuần", "giờ", Decimal(6), Decimal("2.5")), "xuat_sac", True),
    ("thcs-cau-giay", "giai_phap", "tai_chinh_cong",
     "Thu hộ học phí và các khoản thu theo thỏa thuận không dùng tiền mặt, đối soát tự động",
     "Nhiều khoản thu, nhiều đợt; đối soát thủ công dễ sai sót.",
     "Đối soát tự động với ngân hàng; không còn sai lệch giữa sổ kế toán và sao kê.",
     ("Thời gian đối soát khoản thu mỗi đợt", "ngày", Decimal(4), Decimal(1)), "tot", True),
    ("thcs-nghia-tan", "giai_phap", "tthc",
     "Xét tuyển lớp 6 trực tuyến và trả kết quả qua tin nhắn",
     "Cha mẹ học sinh phải đến trường nhiều lần để nộp hồ sơ và xem kết quả xét tuyển.",
     "Cha mẹ không phải đến trường; kết quả gửi đến 100% gia đình qua tin nhắn.",
     ("Số lần cha mẹ phải đến trường", "lần", Decimal(3), Decimal(0)), "tot", True),
    ("thcs-yen-hoa", "sang_kien", "de_an_06",
     "Dùng định danh điện tử VNeID xác thực hồ sơ học sinh, không yêu cầu nộp bản sao giấy tờ",
     "Hồ sơ học sinh phải kèm bản sao giấy khai sinh, sổ hộ khẩu có chứng thực.",
     "Thông tin được xác thực qua VNeID; cha mẹ không phải nộp bản sao chứng thực.",
     ("Hồ sơ phải nộp bản sao chứng thực", "%", Decimal(100), Decimal(8)), "hoan_thanh", True),
]

LEVEL = ("Giấy khen của Chủ tịch UBND phường", Decimal(80), 4, False)
DECISION = ("215/QĐ-UBND", "Phạm Quang Huy, Chủ tịch UBND phường")
PROPOSED = 2  # the ward's best awarded models proposed to the Sở


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute)


def _utc(local: datetime) -> datetime:
    from thidua.timeutil import zone
    return local.replace(tzinfo=zone()).astimezone(zone("UTC")).replace(tzinfo=None)


def _weekdays(first: date, count: int) -> list[date]:
    days = [first + timedelta(days=n) for n in range(count)]
    return [d for d in days if d.weekday() < 5] or days


def load_ward(root: Unit, upper: Campaign, *, today: date, password_hash: str, seed: int) -> Campaign:
    """Add the ward, its schools, accounts and its decided 2024 campaign; propose its best to `upper`."""
    from thidua import demo
    from thidua.nominations.models import Nomination, NominationState
    from thidua.registration.models import Initiative
    from thidua.results.services import save_report
    from thidua.review.ranking import build_ranking

    rng = random.Random(f"ward-{seed}")
    ward = Unit(code=WARD_CODE, name=WARD_NAME, short_name=WARD_SHORT, block="", unit_type="ubnd_phuong_xa",
                district="Cầu Giấy", email="ubndcaugiay@thidua-demo.edu.vn", parent_id=root.id, is_organiser=True)
    db.session.add(ward)
    db.session.flush()
    schools = []
    for code, name, unit_type in SCHOOLS:
        schools.append(Unit(code=code, name=name, short_name=name.removeprefix("Trường "), block=BLOCKS[unit_type],
                            unit_type=unit_type, district="Cầu Giấy", email=f"{code}@thidua-demo.edu.vn",
                            parent_id=ward.id))
    db.session.add_all(schools)
    db.session.flush()

    accounts: dict[tuple[str, Role], User] = {}
    staff: dict[str, User] = {}
    for login in WARD_LOGINS:
        user = User(username=login.username, role=login.role.value, full_name=login.full_name, unit_id=ward.id,
                    job_title="", email="", password_hash=password_hash, organiser_id=ward.id)
        db.session.add(user)
        staff[login.username] = user
    for school in schools:
        for role, suffix, title in ((Role.UNIT_HEAD, "ht", "Hiệu trưởng"), (Role.UNIT_EDITOR, "cb", "Cán bộ đầu mối")):
            user = User(username=f"{school.code}.{suffix}", role=role.value,
                        full_name=f"{'Hiệu trưởng' if role == Role.UNIT_HEAD else 'Cán bộ đầu mối'} {school.display_name}",
                        unit_id=school.id, job_title=title, email=school.email, password_hash=password_hash)
            db.session.add(user)
            accounts[(school.code, role)] = user
    db.session.flush()
    office, leader = staff["phuong.vanphong"], staff["phuong.lanhdao"]
    reviewers = [staff[f"phuong.hoidong{n}"] for n in (1, 2, 3)]

    # The ward ran its campaign before the Sở's 2024 campaign opened (its launch: 14 days ago).
    launch = today - timedelta(days=160)
    campaign = campaign_services.create_campaign(
        actor=office, organiser=ward, name="Phong trào thi đua “Cải cách hành chính trong trường học” năm 2024",
        year=2024, period="2023–2025",
        plan_reference="Kế hoạch phát động phong trào thi đua “Cải cách hành chính trong trường học” của UBND phường",
        launch_date=launch, registration_deadline=launch + timedelta(days=20),
        report_deadline=launch + timedelta(days=85), city_report_deadline=launch + timedelta(days=100),
        min_initiatives_per_unit=1,
        description="Mỗi trường đăng ký ít nhất 01 mô hình, giải pháp, sáng kiến; "
                    "mô hình tiêu biểu được đề xuất lên Sở GD&ĐT.",
    )
    campaign.feeds_campaign_id = upper.id
    campaign_services.set_participants(campaign, {(s.block, s.unit_type) for s in schools}, actor=office)

    by_code = {s.code: s for s in schools}
    for position, (code, kind, area, title, need, result, indicator, assessment, reported) in enumerate(INITIATIVES):
        school = by_code[code]
        day = launch + timedelta(days=2 + position + rng.randint(0, 4))
        sent = _utc(_local(day, rng.randint(8, 16), rng.randint(0, 59)))
        values = {
            "kind": kind, "title": title, "area": area, "need": need,
            "objectives": "Giảm thời gian, chi phí và số lần đi lại của cha mẹ học sinh; công khai, minh bạch.",
            "content": f"Nhà trường xây dựng quy trình, tập huấn cán bộ, giáo viên và hướng dẫn cha mẹ học sinh "
                       f"thực hiện: {title[0].lower() + title[1:]}.",
            "start_date": launch + timedelta(days=25), "end_date": campaign.report_deadline,
            "expected_results": result, "author_type": "tap_the",
            "collective_name": f"Ban giám hiệu và tổ văn phòng {school.display_name}",
            "people_in_charge": f"Hiệu trưởng {school.display_name}", "contact_name": f"Cán bộ đầu mối {school.display_name}",
            "contact_position": "Cán bộ văn phòng", "contact_phone": f"0243{rng.randint(7000000, 7999999)}",
        }
        demo._register(campaign, school, values, sent, accounts, office)
    initiatives = db.session.scalars(sa.select(Initiative).where(Initiative.campaign_id == campaign.id)
                                     .order_by(Initiative.id)).all()
    for initiative, (code, *_, result, indicator, assessment, reported) in zip(initiatives, INITIATIVES):
        if not reported:
            continue
        day = campaign.report_deadline - timedelta(days=rng.randint(3, 25))
        sent = _utc(_local(day, rng.randint(8, 17), rng.randint(0, 59)))
        name, unit_of_measure, before, after = indicator
        save_report(initiative, actor=accounts[(code, Role.UNIT_EDITOR)], values={
            "progress": "hoan_thanh", "achievements": result,
            "effect_citizens": "Cha mẹ học sinh tiết kiệm thời gian, không phải đến trường; nhà trường công khai, minh bạch.",
            "replication_units": "Có thể áp dụng ngay tại các trường mầm non, tiểu học, THCS trên địa bàn phường.",
            "self_assessment": assessment, "people_in_charge": f"Hiệu trưởng {by_code[code].display_name}",
            "evidence_links": "Hồ sơ lưu tại nhà trường.",
        }, indicators=[{"name": name, "unit_of_measure": unit_of_measure, "before": before, "after": after,
                        "source": "Số liệu của nhà trường"}], expected_version=None, now=sent - timedelta(hours=1))
        transition(initiative, State.REPORTED, actor=accounts[(code, Role.UNIT_HEAD)], now=sent)

    closed = campaign.report_deadline
    decided_on = closed + timedelta(days=20)
    demo._review(campaign, reviewers, office, leader, rng, demo.ReviewSchedule(
        setup_at=_local(closed + timedelta(days=2), 8, 30), assign_at=_local(closed + timedelta(days=2), 15),
        review_days=_weekdays(closed + timedelta(days=3), 10), chair="phuong.hoidong1", levels=[LEVEL],
        shortlist_at=_local(closed + timedelta(days=15), 9), compile_at=_local(closed + timedelta(days=15), 14, 30),
        submit_at=_local(closed + timedelta(days=15), 16), approve_at=_local(closed + timedelta(days=16), 10, 15),
        decisions=[(_local(decided_on, 16), False, (DECISION[0], decided_on, DECISION[1]))],
    ))

    # The two best awarded models, in the committee's ranking, proposed to the Sở's 2024 campaign.
    awarded = [row.initiative for row in build_ranking(campaign).rows if row.initiative.status == State.AWARDED]
    proposed_at = _utc(_local(upper.launch_date + timedelta(days=3), 9, 30))
    for initiative in awarded[:PROPOSED]:
        db.session.add(Nomination(
            campaign_id=upper.id, source_id=initiative.id, state=NominationState.PROPOSED.value,
            proposed_by_id=office.id, proposed_at=proposed_at))
    db.session.flush()
    return campaign
