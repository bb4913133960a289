"""Coverage-guided fuzzing of one parser (tests/fuzz/targets.py) with
atheris, outside CI (it is not a dependency of the package):

    python3 -m venv /opt/scamper-fuzz --system-site-packages
    /opt/scamper-fuzz/bin/pip install atheris /work/main
    cd / && /opt/scamper-fuzz/bin/python /work/main/tests/fuzz/run.py \\
        commands -runs=1000000

New inputs go to tests/fuzz/corpus/<target>/ (seeded from seeds.py on the
first run); keep them small with -merge=1 into a fresh directory.  CI
replays the corpus (tests/test_fuzz_corpus.py)."""

import os
import sys

import atheris

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

with atheris.instrument_imports():
    # everything the targets reach, imported here to be instrumented
    # (commands and warts types are otherwise imported when first met)
    import importlib
    import targets
    from scamperd import commands
    from scamperd.warts import file as warts_file
    for _name in commands.COMMANDS:
        importlib.import_module('scamperd.%s.cmd' % _name)
    warts_file.load_types()
    import scamperd.control.interactive, scamperd.control.attach  # noqa
    import scamperd.net.packet, scamperd.sources, scamperd.strtol  # noqa


def main():
    name = sys.argv[1]
    corpus = os.path.join(HERE, 'corpus', name)
    if not os.path.isdir(corpus):
        import seeds
        seeds.write(name, corpus)
    fn = targets.TARGETS[name]
    # libFuzzer runs its first word again for -merge=1 (through sh): this
    # interpreter and this script, with the target
    me = '%s %s %s' % (sys.executable, os.path.abspath(__file__), name)
    atheris.Setup([me] + sys.argv[2:] + [corpus], fn)
    atheris.Fuzz()


if __name__ == '__main__':
    main()
