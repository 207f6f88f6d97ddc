"""The report to UBND Thành phố as a Word document (Nghị định 30) and as a workbook, one sheet per table.

Both print the same `CampaignFigures`; the narrative is the office's Markdown, with {placeholders}
replaced by computed figures.
"""
from __future__ import annotations

from datetime import date

from thidua.documents import CENTER, Column, OfficialDocument, issuer_heading
from thidua.exports import ExportWorkbook, write_sheet
from thidua.numbers import format_fixed
from thidua.registration.models import KIND_LABELS
from thidua.reports.figures import CampaignFigures, decimal, fill, number, percent
from thidua.reports.targets import TargetTable, share_rate, share_text

HIGHLIGHT_RESULTS_LIMIT = 400
WORD_INDICATORS = 20  # the Word report lists the most shared indicators; the workbook lists them all


AREAS_OVERLAP_NOTE = ("Một mô hình, giải pháp, sáng kiến thuộc nhiều lĩnh vực được tính ở từng lĩnh vực; "
                      "dòng Tổng cộng tính mỗi mô hình, giải pháp, sáng kiến một lần.")


def _score(value) -> str:
    return format_fixed(value)


def _kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


def _clip(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    return text[:limit].rstrip() + "…" if len(text) > limit else text


def campaign_phrase(name: str) -> str:
    """The campaign's name inside a sentence: “Phong trào thi đua …” becomes “phong trào thi đua …”."""
    if name.lower().startswith("phong trào"):
        return "p" + name[1:]
    return f"phong trào thi đua “{name}”"


def default_draft(campaign) -> dict[str, str]:
    """What a new draft starts with: the usual wording, with figures as placeholders."""
    plan = campaign.plan_reference or "Kế hoạch phát động phong trào thi đua của Sở Giáo dục và Đào tạo"
    return {
        "number": "      /BC-SGDĐT",
        "intro": (f"Thực hiện {plan}, Sở Giáo dục và Đào tạo báo cáo kết quả thực hiện "
                  f"{campaign_phrase(campaign.name)} như sau:"),
        "deployment": ("Sở Giáo dục và Đào tạo đã ban hành kế hoạch, hướng dẫn các đơn vị đăng ký và báo cáo kết quả "
                       "trên hệ thống; Văn phòng Sở theo dõi tiến độ, nhắc các đơn vị chưa hoàn thành và tổng hợp "
                       "kết quả. Có {so_don_vi_tham_gia} đơn vị thuộc diện tham gia phong trào."),
        "assessment": ("Phong trào được các đơn vị hưởng ứng: {so_don_vi_dang_ky} đơn vị đăng ký "
                       "({ty_le_dang_ky}) với {so_sang_kien} mô hình, giải pháp, sáng kiến; nhiều mô hình đã mang "
                       "lại kết quả đo được, rút ngắn thời gian và giảm chi phí cho người dân, học sinh."),
        "limitations": ("Một số đơn vị chưa đăng ký hoặc chưa báo cáo kết quả đúng hạn; một số báo cáo chưa có "
                        "số liệu trước và sau khi áp dụng."),
        "proposals": ("Đề nghị Ủy ban nhân dân Thành phố xem xét, khen thưởng các tập thể, cá nhân có mô hình, "
                      "giải pháp, sáng kiến tiêu biểu; tiếp tục nhân rộng các mô hình hiệu quả trong toàn ngành."),
        "recipients": "UBND Thành phố (để báo cáo);\nSở Nội vụ (Ban Thi đua - Khen thưởng);\nGiám đốc Sở (để báo cáo);\n"
                      "Lưu: VT, VP.",
        "signer_title": "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC",
        "signer_name": "",
    }


def recipient_lines(text: str) -> list[str]:
    lines = [line.strip().lstrip("-").strip() for line in (text or "").splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        return ["- Lưu: VT, VP."]
    return [f"- {line}" if index == len(lines) - 1 else f"- {line.rstrip(';')};"
            for index, line in enumerate(lines)]


BLOCK_COLUMNS = [Column("Khối", 46), Column("Số đơn vị tham gia", 22, CENTER), Column("Đã đăng ký", 20, CENTER),
                 Column("Tỷ lệ đăng ký", 20, CENTER), Column("Đã báo cáo kết quả", 22, CENTER),
                 Column("Tỷ lệ báo cáo", 20, CENTER), Column("Số sáng kiến đăng ký", 22, CENTER)]


def block_rows(figures: CampaignFigures):
    for block in figures.blocks:
        yield [block.block, number(block.participants), number(block.registered_units),
               percent(block.registration_rate), number(block.reported_units), percent(block.reporting_rate),
               number(block.initiatives)]


def block_total(figures: CampaignFigures) -> list:
    total = figures.total
    return [total.block, number(total.participants), number(total.registered_units),
            percent(total.registration_rate), number(total.reported_units), percent(total.reporting_rate),
            number(total.initiatives)]


def _sentence_units(figures: CampaignFigures) -> str:
    total = figures.total
    target = ("ít nhất 01 mô hình, giải pháp, sáng kiến" if figures.minimum <= 1
              else f"ít nhất {figures.minimum:02d} mô hình, giải pháp, sáng kiến")
    return (f"Chỉ tiêu: 100% đơn vị đăng ký {target}. Có {number(total.participants)} đơn vị thuộc diện tham gia; "
            f"{number(total.registered_units)} đơn vị đã đăng ký, đạt {percent(total.registration_rate)}; "
            f"{number(total.reported_units)} đơn vị đã báo cáo kết quả, đạt {percent(total.reporting_rate)}. "
            + _sentence_late(total) + "Số liệu theo từng khối như sau:")


def _sentence_late(total) -> str:
    """Late work is counted, never folded silently into the on-time figures."""
    if not (total.late_registered_units or total.late_reported_units):
        return ""
    return (f"Trong đó, {number(total.late_registered_units)} đơn vị hoàn thành đăng ký sau hạn và "
            f"{number(total.late_reported_units)} đơn vị hoàn thành báo cáo kết quả sau hạn (được gia hạn "
            "hoặc gửi muộn qua Google Forms). ")


def _sentence_areas(figures: CampaignFigures) -> str:
    kinds = "; ".join(f"{number(figures.kind_total(kind))} {_kind_label(kind).lower()}" for kind in figures.kinds)
    return (f"Các đơn vị đã đăng ký {number(figures.total.initiatives)} mô hình, giải pháp, sáng kiến"
            f"{f' ({kinds})' if kinds else ''}, trong đó {number(figures.total.reported_initiatives)} đã báo cáo "
            "kết quả. Phân theo lĩnh vực cải cách hành chính:")


def _sentence_indicators(figures: CampaignFigures) -> str:
    shared = figures.shared_indicators
    if not shared:
        return ("Các báo cáo kết quả chưa có chỉ tiêu chung do từ hai sáng kiến trở lên cùng báo cáo; "
                "chỉ tiêu của từng sáng kiến được nêu tại mục 4 và Phụ lục.")
    return (f"Các đơn vị báo cáo {number(len(figures.indicators))} chỉ tiêu đo được, trong đó {number(len(shared))} "
            "chỉ tiêu do từ hai sáng kiến trở lên cùng báo cáo được tổng hợp dưới đây (cộng số liệu; "
            "bình quân đối với tỷ lệ và điểm; chỉ tính các sáng kiến có số liệu cả trước và sau khi áp dụng):")


def _sentence_highlights(figures: CampaignFigures) -> str:
    if not figures.highlights:
        return "Hội đồng chưa đề xuất mô hình, giải pháp, sáng kiến nào để khen thưởng."
    awarded = f", trong đó {number(figures.awarded)} đã có quyết định khen thưởng" if figures.awarded else ""
    return (f"Qua chấm điểm, Hội đồng đề xuất {number(figures.shortlisted)} mô hình, giải pháp, sáng kiến tiêu biểu"
            f"{awarded}:")


INDICATOR_COLUMNS = [Column("STT", 14, CENTER), Column("Chỉ tiêu", 52), Column("Đơn vị tính", 20),
                     Column("Số sáng kiến", 16, CENTER), Column("Trước", 22, CENTER), Column("Sau", 22, CENTER),
                     Column("Thay đổi", 22, CENTER), Column("Cách tính", 18, CENTER)]
HIGHLIGHT_COLUMNS = [Column("STT", 14, CENTER), Column("Tên mô hình, giải pháp, sáng kiến", 48),
                     Column("Đơn vị", 36), Column("Lĩnh vực", 30), Column("Điểm", 14, CENTER),
                     Column("Hình thức khen thưởng", 30), Column("Kết quả nổi bật", 60)]
ANNEX_COLUMNS = [Column("STT", 14, CENTER), Column("Đơn vị", 45), Column("Khối", 30),
                 Column("Tên mô hình, giải pháp, sáng kiến", 70), Column("Loại", 20), Column("Lĩnh vực CCHC", 40),
                 Column("Tình trạng", 28), Column("Điểm", 14, CENTER)]


def indicator_rows(indicators):
    for position, item in enumerate(indicators, start=1):
        change = item.change
        yield [position, item.name, item.unit_of_measure, number(len(item.initiatives)), decimal(item.before),
               decimal(item.after), ("+" if change and change > 0 else "") + decimal(change), item.method]


def highlight_results(highlight) -> str:
    parts = [_clip(highlight.achievements, HIGHLIGHT_RESULTS_LIMIT)] if highlight.achievements else []
    for indicator in highlight.indicators[:3]:
        if indicator.before is not None and indicator.after is not None:
            unit = f" {indicator.unit_of_measure}" if indicator.unit_of_measure else ""
            parts.append(f"{indicator.name}: {decimal(indicator.before)} → {decimal(indicator.after)}{unit}")
    return "\n".join(parts)


LOWER_COLUMNS = [Column("STT", 12, CENTER), Column("Cấp dưới", 46), Column("Đơn vị tham gia", 19, CENTER),
                 Column("Đã đăng ký", 19, CENTER), Column("Đã báo cáo kết quả", 19, CENTER),
                 Column("Số sáng kiến đăng ký", 19, CENTER), Column("Được khen thưởng", 19, CENTER),
                 Column("Đề xuất lên cấp trên", 19, CENTER)]


def lower_rows(levels):
    for position, level in enumerate(levels, start=1):
        yield [position, level.name, number(level.participants),
               f"{number(level.registered_units)} ({percent(level.registration_rate)})",
               f"{number(level.reported_units)} ({percent(level.reporting_rate)})", number(level.initiatives),
               number(level.awarded), number(level.proposed)]


def lower_total(levels) -> list:
    from thidua.reports.rollup import levels_total
    total = levels_total(levels)
    return ["", total.name, number(total.participants),
            f"{number(total.registered_units)} ({percent(total.registration_rate)})",
            f"{number(total.reported_units)} ({percent(total.reporting_rate)})", number(total.initiatives),
            number(total.awarded), number(total.proposed)]


def _sentence_lower(figures: CampaignFigures) -> str:
    levels = figures.lower
    running = [level for level in levels if level.campaigns]
    text = (f"Cấp dưới trực thuộc gồm {number(len(levels))} đơn vị tổ chức thi đua, trong đó {number(len(running))} "
            f"đơn vị đã phát động phong trào năm {figures.campaign.year}")
    if not running:
        return text + "."
    total = sum(level.participants for level in running)
    awarded = sum(level.awarded for level in running)
    proposed = sum(level.proposed for level in running)
    return (text + f" với {number(total)} đơn vị tham gia; {number(awarded)} mô hình, giải pháp, sáng kiến đã được "
            f"cấp dưới khen thưởng, {number(proposed)} được đề xuất lên Sở. Số liệu theo từng đơn vị như sau:")


TOTAL_OF_TARGETS = "Chung"


def target_columns(table: TargetTable) -> list[Column]:
    return ([Column("STT", 12, CENTER), Column("Chỉ tiêu", 62), Column("Mức đạt", 18, CENTER)]
            + [Column(block, 26, CENTER) for block in table.blocks] + [Column(TOTAL_OF_TARGETS, 26, CENTER)])


def target_rows(table: TargetTable):
    for position, row in enumerate(table.rows, start=1):
        yield [position, row.name, row.threshold, *[share_text(table.share(row, block)) for block in table.blocks],
               share_text(row.total)]


def _sentence_targets(table: TargetTable) -> str:
    everyone = [row for row in table.rows if row.total.applicable and row.total.met == row.total.applicable]
    return (f"Phong trào đặt {number(len(table.rows))} chỉ tiêu đối với tập thể, trong đó {number(len(everyone))} "
            "chỉ tiêu có 100% đơn vị thuộc diện áp dụng đạt. Tỷ lệ đơn vị đạt từng chỉ tiêu "
            "(số đơn vị đạt/số đơn vị áp dụng; chỉ tính giá trị đã được Văn phòng xác nhận), chung và theo khối:")


def build_report_docx(figures: CampaignFigures, draft: dict[str, str], *, day: date,
                      on_progress=None) -> bytes:
    campaign = figures.campaign
    values = figures.placeholders()

    def narrative(name: str) -> None:
        text = fill(draft.get(name, ""), values)
        if text.strip():
            document.markdown(text)

    document = OfficialDocument()
    number_line = f"Số: {draft.get('number') or '      /BC-SGDĐT'}"
    document.heading(issuer_heading(campaign, day, number_line))
    document.title("BÁO CÁO", f"Kết quả thực hiện {campaign_phrase(campaign.name)}")
    narrative("intro")
    document.section_heading("I. CÔNG TÁC TRIỂN KHAI")
    narrative("deployment")
    document.section_heading("II. KẾT QUẢ THỰC HIỆN")
    document.section_heading("1. Đơn vị tham gia, tỷ lệ đăng ký và báo cáo kết quả")
    document.body(_sentence_units(figures))
    document.table(BLOCK_COLUMNS, block_rows(figures), total=block_total(figures))
    document.section_heading("2. Mô hình, giải pháp, sáng kiến theo lĩnh vực cải cách hành chính")
    document.body(_sentence_areas(figures))
    area_columns = ([Column("STT", 14, CENTER), Column("Lĩnh vực cải cách hành chính", 70)]
                    + [Column(_kind_label(kind), 20, CENTER) for kind in figures.kinds] + [Column("Tổng số", 18, CENTER)])
    document.table(area_columns, (
        [position, area.label, *[number(area.by_kind.get(kind, 0)) for kind in figures.kinds], number(area.total)]
        for position, area in enumerate(figures.areas, start=1)
    ), total=["", "Tổng cộng", *[number(figures.kind_total(kind)) for kind in figures.kinds],
              number(figures.total.initiatives)])
    if figures.areas_overlap:
        document.body(AREAS_OVERLAP_NOTE, italic=True)
    document.section_heading("3. Kết quả đạt được qua các chỉ tiêu")
    document.body(_sentence_indicators(figures))
    if figures.shared_indicators:
        document.table(INDICATOR_COLUMNS, indicator_rows(figures.shared_indicators[:WORD_INDICATORS]), size=11)
        if len(figures.shared_indicators) > WORD_INDICATORS:
            document.body(f"(Còn {number(len(figures.shared_indicators) - WORD_INDICATORS)} chỉ tiêu khác, "
                          "xem bảng tính kèm theo.)", italic=True)
    document.section_heading("4. Mô hình, giải pháp, sáng kiến tiêu biểu được đề xuất khen thưởng")
    document.body(_sentence_highlights(figures))
    if figures.highlights:
        document.table(HIGHLIGHT_COLUMNS, (
            [position, h.title, h.unit_name, h.area_label, _score(h.score), h.level, highlight_results(h)]
            for position, h in enumerate(figures.highlights, start=1)
        ), size=11)
    item = 5
    if figures.targets is not None:
        document.section_heading(f"{item}. Kết quả thực hiện chỉ tiêu thi đua của các tập thể")
        document.body(_sentence_targets(figures.targets))
        document.table(target_columns(figures.targets), target_rows(figures.targets), size=11)
        item += 1
    if figures.lower:
        document.section_heading(f"{item}. Kết quả phong trào ở các cấp dưới")
        document.body(_sentence_lower(figures))
        if any(level.campaigns for level in figures.lower):
            document.table(LOWER_COLUMNS, lower_rows(figures.lower),
                           total=lower_total(figures.lower) if len(figures.lower) > 1 else None, size=11)
    if on_progress:
        on_progress("Đã viết phần kết quả của báo cáo.")
    document.section_heading("III. ĐÁNH GIÁ CHUNG")
    document.section_heading("1. Ưu điểm")
    narrative("assessment")
    document.section_heading("2. Tồn tại, hạn chế và nguyên nhân")
    narrative("limitations")
    document.section_heading("IV. PHƯƠNG HƯỚNG, ĐỀ XUẤT, KIẾN NGHỊ")
    narrative("proposals")
    document.body("Trên đây là báo cáo kết quả thực hiện phong trào thi đua của Sở Giáo dục và Đào tạo; "
                  "danh sách chi tiết tại Phụ lục kèm theo./.")
    document.closing(recipient_lines(draft.get("recipients", "")),
                     signer_title=[line for line in (draft.get("signer_title") or "GIÁM ĐỐC").splitlines()
                                   if line.strip()],
                     signer_name=draft.get("signer_name", ""))

    document.new_section(landscape=True)
    document.paragraph("PHỤ LỤC", bold=True, size=14)
    document.paragraph("DANH SÁCH MÔ HÌNH, GIẢI PHÁP, SÁNG KIẾN ĐĂNG KÝ THAM GIA PHONG TRÀO", bold=True, size=14)
    document.paragraph(f"(Kèm theo Báo cáo số {draft.get('number') or '      /BC-SGDĐT'} ngày "
                       f"{day:%d/%m/%Y} của Sở Giáo dục và Đào tạo)", italic=True, size=13, after=6)
    document.table(ANNEX_COLUMNS, (
        [position, row.unit_name, row.block, row.title, row.kind_label, row.area_label, row.status_label,
         _score(row.score)]
        for position, row in enumerate(figures.annex, start=1)
    ), size=11)
    if on_progress:
        on_progress("Đã viết phụ lục.")
    document.page_numbers()
    return document.to_bytes()


def build_report_workbook(figures: CampaignFigures) -> ExportWorkbook:
    """One sheet per table of the report; numbers as numbers, so the office can add them up again."""
    campaign = figures.campaign
    workbook = ExportWorkbook(rows=len(figures.annex) + len(figures.indicators) + len(figures.highlights))
    total = figures.total
    write_sheet(workbook, sheet_title="Tổng hợp", title=f"Tổng hợp — {campaign.name}",
                headers=["Nội dung", "Số liệu"], widths=[60, 18], rows=[
                    ["Số đơn vị tham gia", total.participants],
                    ["Số đơn vị đã đăng ký", total.registered_units],
                    ["Tỷ lệ đăng ký (%)", total.registration_rate],
                    ["Số đơn vị đã báo cáo kết quả", total.reported_units],
                    ["Tỷ lệ báo cáo (%)", total.reporting_rate],
                    ["Số đơn vị hoàn thành đăng ký sau hạn", total.late_registered_units],
                    ["Số đơn vị hoàn thành báo cáo sau hạn", total.late_reported_units],
                    ["Số mô hình, giải pháp, sáng kiến đăng ký", total.initiatives],
                    ["Số đã báo cáo kết quả", total.reported_initiatives],
                    ["Số đề xuất khen thưởng", figures.shortlisted],
                    ["Số đã có quyết định khen thưởng", figures.awarded],
                ])
    write_sheet(workbook, sheet_title="Theo khối", title="Đơn vị tham gia, đăng ký và báo cáo theo khối",
                headers=["Khối", "Số đơn vị tham gia", "Đã đăng ký", "Tỷ lệ đăng ký (%)", "Đã báo cáo kết quả",
                         "Tỷ lệ báo cáo (%)", "Số sáng kiến đăng ký", "Số sáng kiến đã báo cáo"],
                widths=[40, 14, 14, 14, 14, 14, 14, 14],
                rows=[[b.block, b.participants, b.registered_units, b.registration_rate, b.reported_units,
                       b.reporting_rate, b.initiatives, b.reported_initiatives] for b in [*figures.blocks, total]])
    write_sheet(workbook, sheet_title="Theo lĩnh vực", title="Mô hình, giải pháp, sáng kiến theo lĩnh vực CCHC",
                headers=["Lĩnh vực CCHC", *[_kind_label(kind) for kind in figures.kinds], "Tổng số"],
                widths=[55, *[14] * len(figures.kinds), 14],
                rows=[*([a.label, *[a.by_kind.get(kind, 0) for kind in figures.kinds], a.total] for a in figures.areas),
                      ["Tổng cộng", *[figures.kind_total(kind) for kind in figures.kinds], total.initiatives],
                      *([[AREAS_OVERLAP_NOTE]] if figures.areas_overlap else [])])
    write_sheet(workbook, sheet_title="Chỉ tiêu kết quả", title="Chỉ tiêu kết quả (cộng; bình quân với tỷ lệ, điểm)",
                headers=["STT", "Chỉ tiêu", "Đơn vị tính", "Số sáng kiến", "Trước", "Sau", "Thay đổi", "Cách tính"],
                widths=[6, 50, 14, 12, 14, 14, 14, 12],
                rows=([position, i.name, i.unit_of_measure, len(i.initiatives), i.before, i.after, i.change, i.method]
                      for position, i in enumerate(figures.indicators, start=1)))
    write_sheet(workbook, sheet_title="Đề xuất khen thưởng", title="Mô hình, giải pháp, sáng kiến tiêu biểu",
                headers=["STT", "Tên mô hình, giải pháp, sáng kiến", "Đơn vị", "Khối", "Lĩnh vực CCHC", "Loại",
                         "Điểm Hội đồng", "Hình thức khen thưởng", "Tình trạng", "Kết quả nổi bật"],
                widths=[6, 50, 35, 25, 35, 14, 12, 30, 18, 70],
                rows=[[position, h.title, h.unit_name, h.block, h.area_label, h.kind_label, h.score, h.level,
                       h.status_label, highlight_results(h)] for position, h in enumerate(figures.highlights, start=1)])
    if figures.targets is not None:
        table = figures.targets
        write_sheet(workbook, sheet_title="Chỉ tiêu thi đua",
                    title="Tỷ lệ đơn vị đạt chỉ tiêu thi đua đối với tập thể, chung và theo khối",
                    headers=["STT", "Chỉ tiêu", "Mức đạt", "Bắt buộc", "Số đơn vị áp dụng", "Số đơn vị đạt",
                             "Tỷ lệ đạt (%)", *[f"Tỷ lệ đạt (%) — {block}" for block in table.blocks]],
                    widths=[6, 60, 12, 10, 14, 14, 12, *[18] * len(table.blocks)],
                    rows=[[position, row.name, row.threshold, "Có" if row.mandatory else "Không",
                           row.total.applicable, row.total.met, share_rate(row.total),
                           *[share_rate(table.share(row, block)) for block in table.blocks]]
                          for position, row in enumerate(table.rows, start=1)])
    if figures.lower:
        from thidua.reports.rollup import levels_total
        write_sheet(workbook, sheet_title="Các cấp dưới",
                    title=f"Kết quả phong trào năm {campaign.year} ở các cấp dưới",
                    headers=["STT", "Cấp dưới", "Phong trào", "Số đơn vị tham gia", "Đã đăng ký", "Tỷ lệ đăng ký (%)",
                             "Đã báo cáo kết quả", "Tỷ lệ báo cáo (%)", "Số sáng kiến đăng ký", "Được khen thưởng",
                             "Đề xuất lên cấp trên"],
                    widths=[6, 40, 50, 14, 14, 14, 14, 14, 14, 14, 14],
                    rows=[*([position, level.name, "; ".join(level.campaigns) or "Chưa có phong trào năm này",
                             level.participants, level.registered_units, level.registration_rate,
                             level.reported_units, level.reporting_rate, level.initiatives, level.awarded,
                             level.proposed] for position, level in enumerate(figures.lower, start=1)),
                          *([["", t.name, "", t.participants, t.registered_units, t.registration_rate,
                              t.reported_units, t.reporting_rate, t.initiatives, t.awarded, t.proposed]
                             for t in [levels_total(figures.lower)]] if len(figures.lower) > 1 else [])])
    write_sheet(workbook, sheet_title="Phụ lục", title="Danh sách mô hình, giải pháp, sáng kiến đăng ký",
                headers=["STT", "Đơn vị", "Khối", "Tên mô hình, giải pháp, sáng kiến", "Loại", "Lĩnh vực CCHC",
                         "Tình trạng", "Đã báo cáo kết quả", "Điểm Hội đồng"],
                widths=[6, 35, 25, 60, 14, 35, 18, 12, 12],
                rows=[[position, r.unit_name, r.block, r.title, r.kind_label, r.area_label, r.status_label,
                       "Có" if r.reported else "Chưa", r.score] for position, r in enumerate(figures.annex, start=1)])
    return workbook
