"""Training pages through the test client: the Excel upload (errors listed, nothing imported), the
exam form with its rule rows, publishing, the answer-save endpoint's answers, 交卷 with the answers
the form carries, the other-device page, and the manager's results and statistics."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import Workbook

from jijian.training.models import Exam, Question, Sitting
from tests.conftest import sign_in
from tests.training.factories import bank, exam, right_values

pytestmark = pytest.mark.django_db


def xlsx(rows) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.append(["题型", "专题", "难度", "题干", "选项A", "选项B", "答案", "解析"])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "题库.xlsx"
    return out


def test_upload_with_a_bad_row_lists_it_and_imports_nothing(client, people):
    sign_in(client, people.township_a)
    rows = [
        ["单选题", "党纪法规", "基础", "好题", "甲", "乙", "A", ""],
        ["单选题", "党纪法规", "基础", "坏题", "甲", "乙", "C", ""],
    ]
    html = client.post("/training/questions/import/", {"file": xlsx(rows)}).content.decode()
    assert "未导入任何试题" in html and "第 3 行，答案：应为选项字母（A–B）" in html
    assert not Question.objects.exists()
    response = client.post("/training/questions/import/", {"file": xlsx(rows[:1])})
    assert response.status_code == 302 and Question.objects.get().org_unit == people.township_a.org_unit


def test_a_file_that_is_not_a_workbook_is_refused_in_chinese(client, people):
    sign_in(client, people.township_a)
    broken = io.BytesIO(b"not a workbook" * 20)
    broken.name = "题库.xlsx"
    html = client.post("/training/questions/import/", {"file": broken}).content.decode()
    assert "无法读取 Excel 文件：文件已损坏或不是 .xlsx 格式" in html
    assert "BadZipFile" not in html and not Question.objects.exists()


def test_the_template_downloads_and_imports_as_it_is(client, people, tmp_path):
    sign_in(client, people.county_officer)
    response = client.get("/training/questions/template.xlsx")
    path = tmp_path / "t.xlsx"
    path.write_bytes(response.content)
    with path.open("rb") as f:
        assert client.post("/training/questions/import/", {"file": f}).status_code == 302
    assert Question.objects.count() == 4


def test_exam_form_saves_a_draft_and_a_rule_the_bank_cannot_fill_is_named(client, people, tree):
    bank(tree.county, per_kind=2)
    sign_in(client, people.county_officer)
    data = {
        "title": "县级测试",
        "audience": "village_members",
        "opens_at": "2026-01-01T08:00",
        "closes_at": "2099-01-01T08:00",
        "duration_minutes": 30,
        "pass_score": 60,
        "max_attempts": 2,
        "rule-TOTAL_FORMS": 4,
        "rule-INITIAL_FORMS": 0,
        "rule-MIN_NUM_FORMS": 0,
        "rule-MAX_NUM_FORMS": 10,
        "rule-0-kind": "single",
        "rule-0-count": 3,
        "rule-0-points": 5,
    }
    html = client.post("/training/exams/new/", data).content.decode()
    assert "第 1 条抽题规则（全部专题、全部难度、单选题）需要 3 道题，题库中可用的只有 2 道" in html
    assert not Exam.objects.exists()
    data["rule-0-count"] = 2
    response = client.post("/training/exams/new/", data)
    e = Exam.objects.get()
    assert response["Location"] == f"/training/exams/{e.pk}/" and not e.is_published
    client.post(f"/training/exams/{e.pk}/", {"version": e.version})
    e.refresh_from_db()
    assert e.is_published


def test_save_endpoint_and_submit_with_the_form_s_answers(client, people, tree):
    bank(tree.county)
    e = exam(tree.county)
    sign_in(client, people.member_a)
    assert client.post(f"/training/exams/{e.pk}/take/").status_code == 302
    sitting = Sitting.objects.get()
    items = list(sitting.items.all())
    page = client.get(f"/training/sittings/{sitting.pk}/").content.decode()
    assert 'id="exam-clock"' in page and int(re.search(r'data-remaining="(\d+)"', page).group(1)) > 1790
    ok = client.post(
        f"/training/sittings/{sitting.pk}/save/", {"position": 1, "seq": 5, "value": right_values(items[0])}
    )
    assert ok.json() == {"ok": True}
    bad = client.post(f"/training/sittings/{sitting.pk}/save/", {"position": 99, "seq": 6, "value": "0"})
    assert bad.status_code == 409 and bad.json()["error"] == "题号不存在"
    form = {f"seq{i.position}": 10 for i in items[1:]}
    for item in items[1:]:
        form[item.field_name] = right_values(item)
    client.post(f"/training/sittings/{sitting.pk}/submit/", form)
    sitting.refresh_from_db()
    assert sitting.percent == 100 and sitting.passed
    result = client.get(f"/training/sittings/{sitting.pk}/").content.decode()
    assert "得分 100 分" in result and "下载合格证书" in result
    late = client.post(f"/training/sittings/{sitting.pk}/save/", {"position": 1, "seq": 50, "value": "0"})
    assert late.status_code == 409 and late.json()["closed"] is True


def test_a_second_browser_is_offered_to_take_over(client, people, tree):
    from django.test import Client

    bank(tree.county)
    e = exam(tree.county)
    sign_in(client, people.member_a)
    client.post(f"/training/exams/{e.pk}/take/")
    sitting = Sitting.objects.get()
    other = Client()
    sign_in(other, people.member_a)
    assert "正在另一台设备" in other.get(f"/training/sittings/{sitting.pk}/").content.decode()
    refused = other.post(f"/training/sittings/{sitting.pk}/save/", {"position": 1, "seq": 1, "value": "0"})
    assert refused.status_code == 409 and "另一台设备" in refused.json()["error"]
    other.post(f"/training/sittings/{sitting.pk}/take-over/")
    assert 'id="exam-form"' in other.get(f"/training/sittings/{sitting.pk}/").content.decode()
    # Signing in on the second browser ended the first one's session (one session per account); signed
    # in there again, it is the other device now.
    assert (
        client.post(
            f"/training/sittings/{sitting.pk}/save/", {"position": 1, "seq": 9, "value": "0"}
        ).status_code
        == 302
    )
    sign_in(client, people.member_a)
    assert "正在另一台设备" in client.get(f"/training/sittings/{sitting.pk}/").content.decode()
    assert sitting.items.get(position=1).answer_seq == 0


def test_results_and_statistics_for_the_county(client, people, tree):
    bank(tree.county)
    e = exam(tree.county)
    sign_in(client, people.member_a)
    client.post(f"/training/exams/{e.pk}/take/")
    sitting = Sitting.objects.get()
    client.post(f"/training/sittings/{sitting.pk}/submit/", {})
    sign_in(client, people.county_officer)
    detail = client.get(f"/training/exams/{e.pk}/").content.decode()
    assert people.member_a.full_name in detail and "不合格" in detail
    stats = client.get("/training/stats/").content.decode()
    assert "参训村（社区）纪检委员 1 名" in stats and "厉山镇" in stats
    sign_in(client, people.outsider)  # 广水市: the same exam's results are not theirs
    assert client.get(f"/training/exams/{e.pk}/").status_code == 404
    assert "参训村（社区）纪检委员 0 名" in client.get("/training/stats/").content.decode()


def test_practice_page_answers_and_explains(client, people, tree):
    q = bank(tree.county, per_kind=1)[0]
    Question.objects.filter(pk=q.pk).update(explanation="因为如此")
    sign_in(client, people.member_a)
    assert q.stem in client.get("/training/practice/?kind=single").content.decode()
    html = client.post(f"/training/practice/{q.pk}/", {"value": "0", "query": "kind=single"}).content.decode()
    assert "回答错误" in html and "正确答案</dt><dd>B" in html and "因为如此" in html
    assert q.stem in client.get("/training/wrong/").content.decode()
