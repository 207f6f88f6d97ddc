"""The default set of targets of a Sở campaign: Kế hoạch thi đua CCHC 2023–2025, section II.2."""
from __future__ import annotations

from decimal import Decimal

OFFICES = "phong_thuoc_so"
SCHOOLS = "thpt,pho_thong_nhieu_cap,tt_gdnn_gdtx,co_so_truc_thuoc"

# (name, area, measure, comparison, threshold, applies_to, unit_types, mandatory, evidence, automatic, guidance)
SEED_001 = (
    ("Tỷ lệ hồ sơ thủ tục hành chính giải quyết đúng hạn (từng lĩnh vực)", "tthc", "percent", "ge", 98, "units",
     OFFICES, True, True, "", "Số hồ sơ giải quyết đúng hạn trên tổng số hồ sơ đã giải quyết trong năm; "
     "lĩnh vực thấp nhất là tỷ lệ được tính."),
    ("Tỷ lệ giải quyết đúng hạn đơn thư, khiếu nại, tố cáo", "tthc", "percent", "ge", 95, "units", OFFICES, False,
     False, "", "Chỉ các phòng có tiếp nhận đơn thư, khiếu nại, tố cáo."),
    ("Hồ sơ trễ hẹn có thư xin lỗi tổ chức, cá nhân", "tthc", "percent", "ge", 100, "units", OFFICES, True, False,
     "", "Số hồ sơ trễ hẹn đã có thư xin lỗi trên tổng số hồ sơ trễ hẹn (không có hồ sơ trễ hẹn: 100%)."),
    ("Mức độ hài lòng của tổ chức, cá nhân với dịch vụ giáo dục công", "chi_dao_dieu_hanh", "percent", "ge", 95,
     "units", OFFICES, True, True, "", "Theo kết quả khảo sát sự hài lòng gần nhất."),
    ("Đăng ký ít nhất 01 mô hình, giải pháp, sáng kiến về CCHC", "", "count", "ge", 1, "units", "", True, False,
     "registered", ""),
    ("Văn bản chính thức trao đổi trên môi trường điện tử (trừ văn bản mật)", "chinh_quyen_so", "percent", "ge", 100,
     "units", OFFICES, True, False, "", ""),
    ("Công chức, viên chức sử dụng hệ thống thư điện tử công vụ", "chinh_quyen_so", "percent", "ge", 100, "units",
     OFFICES, True, False, "", ""),
    ("Tuyên truyền, triển khai Đề án 06", "de_an_06", "yes_no", "eq", 1, "units", "", True, True, "",
     "Văn bản triển khai, hình ảnh tuyên truyền."),
    ("Ứng dụng thanh toán điện tử trong cung ứng dịch vụ", "chinh_quyen_so", "percent", "ge", 100, "units",
     SCHOOLS, True, False, "", "Số khoản thu được thanh toán điện tử trên tổng số khoản thu."),
    ("Văn bản trao đổi với Sở có chữ ký số (trừ văn bản mật)", "chinh_quyen_so", "percent", "ge", 100, "units",
     SCHOOLS, True, False, "", ""),
    ("Báo cáo kết quả thực hiện mọi mô hình, giải pháp, sáng kiến đã đăng ký", "", "yes_no", "eq", 1, "units", "",
     False, False, "reported", ""),
    ("Kết quả đánh giá, xếp loại từ “Hoàn thành tốt nhiệm vụ” trở lên", "", "yes_no", "eq", 1, "individuals", "",
     True, False, "", ""),
    ("Thực hiện chữ ký số trong văn bản, hồ sơ, học bạ", "chinh_quyen_so", "yes_no", "eq", 1, "individuals", "",
     True, False, "", ""),
    ("Sử dụng thư điện tử công vụ trong trao đổi công việc", "chinh_quyen_so", "yes_no", "eq", 1, "individuals", "",
     True, False, "", ""),
    ("Có sáng kiến, cách làm hay được công nhận và nhân rộng tại đơn vị", "", "yes_no", "eq", 1, "individuals", "",
     False, False, "", ""),
)


def seed_001_rows() -> list[dict]:
    keys = ("name", "area", "measure", "comparison", "threshold", "applies_to", "unit_types", "mandatory",
            "evidence_required", "automatic", "guidance")
    return [dict(zip(keys, row)) | {"threshold": Decimal(row[4])} for row in SEED_001]
