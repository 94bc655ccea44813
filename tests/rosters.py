"""Excel rosters built in the tests (real .xlsx files, written with openpyxl)."""

import io
from datetime import date, timedelta

from openpyxl import Workbook

from contest.domain import idcard

HEADER = ["姓名", "身份证号码", "性别", "出生日期", "工种", "技能等级", "手机号码", "工作单位"]


def person(n: int, born: date = date(1990, 1, 1), gender: str = "M") -> str:
    return idcard.build("330102", born + timedelta(days=n // 100), n % 100, gender)


def roster_bytes(rows: list[list], header: list[str] = HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def row(n: int, **fields) -> list:
    values = {
        "name": f"选手{n}", "id": person(n), "gender": "男", "birth": None, "trade": "焊工",
        "level": "高级工", "phone": "13800001111", "employer": "某公司",
    }  # fmt: skip
    values["birth"] = idcard.parse(values["id"]).birth_date.isoformat()
    values.update(fields)
    return list(values.values())
