from pathlib import Path

from academy.envdoc import markdown, variables

README = Path(__file__).resolve().parents[3] / "README.md"


def test_readme_lists_every_environment_variable_a_service_reads() -> None:
    text = README.read_text()
    missing = [name for name in variables() if f"`{name}`" not in text]
    assert not missing, f"README misses {missing}; run `make docs`"


def test_readme_configuration_table_is_the_generated_one() -> None:
    text = README.read_text()
    start = text.index("<!-- envdoc:start -->") + len("<!-- envdoc:start -->")
    end = text.index("<!-- envdoc:end -->")
    assert text[start:end].strip() == markdown().strip()


def test_readme_quick_start_has_the_two_commands() -> None:
    text = README.read_text()
    assert "make up" in text
    assert "make test" in text
