"""The coverage-guided fuzzer's corpus replayed (tests/fuzz/: atheris runs
of at least 1 M inputs per parser, outside CI): every input kept, and the
seeds, go through each parser again and must meet no bug."""

import pathlib
import sys

import pytest

FUZZ = pathlib.Path(__file__).parent / 'fuzz'
sys.path.insert(0, str(FUZZ))

import seeds  # noqa: E402
import targets  # noqa: E402


def corpus(name):
    d = FUZZ / 'corpus' / name
    return sorted(d.iterdir()) if d.is_dir() else []


@pytest.mark.parametrize('name', sorted(targets.TARGETS))
def test_corpus_and_seeds(name):
    files = corpus(name)
    assert len(files) >= 20, 'the %s corpus is missing' % name
    for path in files:
        targets.TARGETS[name](path.read_bytes())
    for data in seeds.inputs(name):
        targets.TARGETS[name](data)
