"""The study's owner: declared parameters, one place for paths, explicit inputs, one error family."""

from __future__ import annotations

import subprocess
import sys

import nbformat
import pytest

from analysis import errors
from analysis.errors import FramediffError, ParameterError
from analysis.params import StudyParams
from analysis.paths import ROOT, resource
from analysis.runner import declared_parameters, notebooks, run
from analysis.study import injected_names, load_study

from .conftest import CORPUS, article_row, build_corpus

# Parameters every notebook uses through load_study (the corpus, its selection and dedupe).
SETUP_PARAMETERS = {"corpus_dir", "language", "seed_id", "seed_length", "group_by", "dedupe", "copy_threshold",
                    "output_dir"}
# Parameters a notebook uses through a Study method rather than by name.
USED_VIA = {"min_df": "study.vectorizer()", "lemmas": "study.vectorizer()"}


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analysis", *args], capture_output=True, text=True, cwd=ROOT)


@pytest.mark.parametrize("values, message", [
    ({"nonsense": 1}, "unknown parameter(s) nonsense; valid: corpus_dir, language, seed_id"),
    ({"dedupe": "maybe"}, "dedupe = 'maybe': expected bool"),
    ({"top_k": 0}, "top_k = 0: must be ≥ 1"),
    ({"top_k": -1}, "top_k = -1: must be ≥ 1"),
    ({"min_df": "abc"}, "min_df = 'abc': expected int"),
    ({"n_resamples": -5}, "n_resamples = -5: must be ≥ 0"),
    ({"copy_threshold": 1.5}, "copy_threshold = 1.5: must be between 0.0 and 1.0"),
    ({"random_seed": True}, "random_seed = True: expected int"),
])
def test_study_params_refuse_unknown_names_wrong_types_and_ranges(values, message):
    with pytest.raises(ParameterError) as info:
        StudyParams.from_mapping(values)
    assert str(info.value).startswith(message) and "\n" not in str(info.value)


def test_study_params_defaults_and_accepted_values():
    assert StudyParams().top_k == 12 and StudyParams().seed_id == "rt-2022-08-08"
    assert StudyParams.from_mapping({"copy_threshold": 1, "n_resamples": 0}).copy_threshold == 1
    assert StudyParams.names()[:2] == ("corpus_dir", "language")
    assert "top_k (int, default 12): terms per group and direction" in StudyParams.describe()


def test_each_notebook_declares_only_the_parameters_it_uses():
    across = ROOT / "notebooks" / "06-across-languages.ipynb"
    assert declared_parameters(across) == {"corpus_dir", "seed_id", "seed_length", "group_by", "originals_only",
                                           "output_dir"}
    assert "load_across(globals())" in "".join(c.source for c in nbformat.read(across, as_version=4).cells)
    for path in notebooks(scope="language"):
        declared = declared_parameters(path)
        assert SETUP_PARAMETERS <= declared <= set(StudyParams.names()), path.name
        later = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells[2:] if c.cell_type == "code")
        assert "load_study(globals())" in later, path.name
        for name in declared - SETUP_PARAMETERS:
            assert name in later or USED_VIA.get(name, name) in later, f"{path.name} declares {name} but never uses it"
    assert declared_parameters(ROOT / "notebooks" / "01-corpus.ipynb") == SETUP_PARAMETERS


def test_injected_names_are_read_from_papermills_cell():
    namespace = {"In": ["", 'language = "en"', '# Parameters\nlanguage = "ru"\nnonsense = 1\n', "x = 2"]}
    assert injected_names(namespace) == {"language", "nonsense"}
    with pytest.raises(ParameterError, match="unknown parameter\\(s\\) nonsense"):
        load_study(namespace)


def test_load_study_returns_everything_a_notebook_needs(tmp_path):
    study = load_study({"language": "ru", "output_dir": str(tmp_path / "out")})
    assert study.seed_id == "rt-ru-2022-08-08" and study.params.language == "ru"
    assert {v.concept for v in study.lexicon} >= {"capital", "vote"}
    assert study.context and study.protect
    assert study.out.root == tmp_path / "out" and (tmp_path / "out" / "tables").is_dir()
    assert study.vectorizer().article_ids_ == tuple(study.corpus.articles["article_id"])
    assert "seed: rt-ru-2022-08-08" in study.describe()


def test_a_corpus_without_resources_uses_the_embedded_ones_and_says_so(corpus_copy, tmp_path):
    import shutil

    for kind in ("lexicons", "context", "stopwords"):
        shutil.rmtree(corpus_copy / kind)
    assert resource(corpus_copy, "lexicons", "en.yaml") == (CORPUS / "lexicons" / "en.yaml", True)
    assert resource(corpus_copy, "lexicons", "xx.yaml") == (None, False)
    study = load_study(corpus_dir=str(corpus_copy), output_dir=str(tmp_path / "out"))
    assert "lexicons: the corpus has none for 'en'; using the embedded lexicons/en.yaml" in study.notes
    assert study.lexicon


def test_every_user_error_is_one_framediff_error():
    for name in ("ParameterError", "ProblemsError"):
        assert issubclass(getattr(errors, name), FramediffError)
    from analysis.fetch import FetchFailed
    from analysis.importing import ImportProblems
    from analysis.lexicon import LexiconError
    from analysis.runner import RunError
    from analysis.validate import CorpusError

    for cls in (FetchFailed, ImportProblems, LexiconError, RunError, CorpusError):
        assert issubclass(cls, FramediffError), cls


@pytest.mark.parametrize("args, line", [
    (("run", "--param", "nonsense=1"), "run: unknown parameter(s) nonsense; valid: corpus_dir"),
    (("run", "--param", "top_k=-1"), "run: top_k = -1: must be ≥ 1"),
    (("run", "--param", "oops"), "run: --param 'oops': expected KEY=VALUE"),
    (("fetch", "corpus", "--ids", "nope"), "fetch: unknown article id(s) ['nope']"),
    (("import", "csv", "x.csv", "--into", "x", "--map", "text"), "import: --map 'text': expected FIELD=COLUMN"),
    (("compare-reports", "nowhere", "corpus"), "compare-reports: nowhere: not a folder"),
    (("run", "--language", "en,zz", "--language", "xx"),
     "run: unknown language(s) 'zz', 'xx'; the corpus has: bs, de, en, es, fr, it, nl, pl, ru, sr, tr, uk"),
])
def test_cli_user_mistakes_give_one_line_and_exit_1(args, line):
    result = cli(*args)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [line] or result.stderr.startswith(line), result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_reports_are_byte_identical_on_a_rerun(tmp_path):
    for name in ("a", "b"):
        run("ru", {"n_resamples": 5}, names=["02-distinctive-terms", "04-naming-and-quotes"],
            reports=tmp_path / name, progress=False)
    same = cli("compare-reports", str(tmp_path / "a"), str(tmp_path / "b"))
    assert same.returncode == 0 and same.stdout.startswith("identical:"), same.stdout
    (tmp_path / "b" / "ru" / "tables" / "naming.csv").write_text("changed\n", encoding="utf-8")
    changed = cli("compare-reports", str(tmp_path / "a"), str(tmp_path / "b"))
    assert changed.returncode == 1 and changed.stdout == "differs: ru/tables/naming.csv\n"


@pytest.mark.slow
def test_plain_papermill_refuses_an_unknown_parameter(tmp_path):
    result = subprocess.run([sys.executable, "-m", "papermill", "notebooks/05-context.ipynb", str(tmp_path / "o.ipynb"),
                             "-p", "nonsense", "1", "-p", "output_dir", str(tmp_path / "out")],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode != 0
    assert "ParameterError: unknown parameter(s) nonsense" in result.stderr + result.stdout


def test_seed_length_matched_by_default_and_what_depends_on_it(tmp_path):
    from analysis.robustness import robustness, seed_length_sensitivity

    study = load_study(output_dir=str(tmp_path / "out"))
    assert 0.6 <= study.length.seed_chars / study.length.others_median_chars <= 1.4
    assert study.length.full_chars == 3144 and study.stamp(study.corpus.articles.head(1))["seed_chars"].iloc[0] == 1474
    table = seed_length_sensitivity(study, top_k=12)
    verdicts = table[table["kind"] == "context verdict"].set_index("item")
    includes_full = verdicts[verdicts["full"] == "seed includes, most omit"]
    assert len(includes_full) == 8 and list(includes_full.index[includes_full["holds"]]) == ["the 700 delegates of the forum"]
    robust = robustness(study, top_k=5)
    seed_terms = robust[robust["finding"] == "seed term"].set_index("item")
    assert seed_terms.loc["kiev", "share_holding"] == 1.0 and seed_terms.loc["kiev", "n_variants"] == 4
    assert robust["prior ×10"].isna().all()  # no log-odds term passes q < 0.05 in English: nothing to vary


def test_a_seed_with_a_copy_represents_its_cluster(tmp_path):
    # The copy's id sorts first, so the copy would represent the cluster; the seed takes its place.
    text = "The head of the region signed an order for a referendum on joining Russia on Monday evening."
    rows = [article_row("zeta-1", "alpha", text_form="full"), article_row("acopy-1", "gamma", "alpha", relation="original"),
            article_row("beta-1", "beta")]
    root = build_corpus(tmp_path / "c", {"zeta-1": text, "acopy-1": text,
                                         "beta-1": "Kyiv said the vote would be a sham and talks would end."},
                        rows, as_text=("zeta-1",))
    study = load_study(corpus_dir=str(root), seed_id="zeta-1", output_dir=str(tmp_path / "out"))
    assert study.copies.clusters_.set_index("article_id").at["zeta-1", "representative"] == "acopy-1"
    assert sorted(study.corpus.articles["article_id"]) == ["beta-1", "zeta-1"]
