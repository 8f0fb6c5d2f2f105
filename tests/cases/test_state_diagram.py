"""The committed state diagram is the one the machine draws today, and it shows every stage and verb."""

from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

from cases.models import Case, Stage

DOCS = Path(settings.BASE_DIR) / "docs"


def draw(tmp_path: Path) -> Path:
    call_command("case_state_diagram", "--output", str(tmp_path / "case_states"), stdout=StringIO())
    return tmp_path


def test_committed_diagram_is_in_sync_with_the_machine(tmp_path):
    out = draw(tmp_path)

    assert (DOCS / "case_states.md").read_text(encoding="utf-8") == (out / "case_states.md").read_text(
        encoding="utf-8"
    ), "the state machine changed: run `python manage.py case_state_diagram` and commit docs/"
    assert (DOCS / "case_states.dot").read_text(encoding="utf-8") == (out / "case_states.dot").read_text(
        encoding="utf-8"
    )


def test_diagram_mentions_every_stage_and_transition(tmp_path):
    markdown = (draw(tmp_path) / "case_states.md").read_text(encoding="utf-8")

    assert "stateDiagram-v2" in markdown
    for stage in Stage:
        assert f" as {stage.value}\n" in markdown
        assert f"| `{stage.value}` |" in markdown
    for transition in Case._meta.get_field("stage").get_all_transitions(Case):
        assert f"{transition.source} --> {transition.target} : {transition.name}\n" in markdown
        assert f"| `{transition.name}` |" in markdown


def test_legend_gives_roles_and_conditions(tmp_path):
    markdown = (draw(tmp_path) / "case_states.md").read_text(encoding="utf-8")

    confirm_row = next(line for line in markdown.splitlines() if line.startswith("| `confirm` |"))
    assert confirm_row == (
        "| `confirm` | Confirm settlement | `confirmation_requested` | `confirmed` | judge "
        "| no_active_hold | no |"
    )
    request_row = next(
        line for line in markdown.splitlines() if line.startswith("| `request_confirmation` |")
    )
    assert "no_active_hold, has_settlement, confirmation_window_open" in request_row
    assert "| `withdraw` | Withdraw | `received`, `triaged`," in markdown
