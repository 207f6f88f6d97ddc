"""The roles of PRODUCT.md."""
from enum import StrEnum


class Role(StrEnum):
    UNIT_EDITOR = "unit_editor"
    UNIT_HEAD = "unit_head"
    SECRETARIAT = "secretariat"
    REVIEWER = "reviewer"
    LEADER = "leader"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.UNIT_EDITOR: "Cán bộ đầu mối",
    Role.UNIT_HEAD: "Thủ trưởng đơn vị",
    Role.SECRETARIAT: "Bộ phận Thường trực CCHC",
    Role.REVIEWER: "Thành viên Hội đồng",
    Role.LEADER: "Lãnh đạo Sở",
}

UNIT_ROLES = frozenset({Role.UNIT_EDITOR, Role.UNIT_HEAD})
