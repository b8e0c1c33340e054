"""d2l_local 与书中 #@save 单元的同步，以及提取器本身的规则。"""
import inspect
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / 'tools'))

import build_lib  # noqa: E402
import d2l_local as d2l  # noqa: E402


def test_package_matches_book():
    """包必须与 make lib 会写出的内容完全一致，也没有不再生成的旧模块。"""
    files = build_lib.render()
    for path, expected in files.items():
        assert (ROOT / path).read_text(encoding='utf-8') == expected, f'{path}：运行 make lib 重新生成'
    assert build_lib.stale_modules(ROOT, files) == []


def test_every_saved_public_name_is_exported():
    _, chapters = build_lib.collect()
    names = [name for chapter in chapters for name in build_lib.public(chapter.defined())]
    assert len(names) > 80, '书中应当保存了全部 d2l 第 1–9 章的名字'
    assert sorted(d2l.__all__) == sorted(names)
    for name in names:
        assert hasattr(d2l, name), name


def test_star_import_brings_only_the_saved_names():
    namespace = {}
    exec('from d2l_local import *', namespace)
    exported = set(namespace) - {'__builtins__'}
    assert exported == set(d2l.__all__)
    assert not {'plt', 'np', 'torch', 'nn'} & exported
    assert d2l.plt and d2l.torch and d2l.np   # 经典 d2l 的 d2l.plt 等写法照常可用


def test_one_module_per_chapter_importing_only_earlier_chapters():
    _, chapters = build_lib.collect()
    modules = [chapter.module for chapter in chapters]
    assert modules[0] == 'ch2_preliminaries' and modules[-1] == 'ch9_recurrent_modern'
    for i, module in enumerate(modules):
        text = (ROOT / 'd2l_local' / f'{module}.py').read_text(encoding='utf-8')
        for later in modules[i:]:
            assert f'from d2l_local.{later} import' not in text, (module, later)
    assert d2l.Vocab.__module__ == 'd2l_local.ch8_recurrent_neural_networks'


def test_support_modules_are_reachable():
    assert d2l.hub.fetch and d2l.workload.quick_mode and d2l._helpers.in_notebook


def test_generated_code_reads_like_hand_written_code():
    _, chapters = build_lib.collect()
    for chapter in chapters:
        text = (ROOT / 'd2l_local' / f'{chapter.module}.py').read_text(encoding='utf-8')
        assert text.startswith('"""')
        body = text.split('__all__ = ', 1)[1]
        assert '#@save' not in body, '保存标记应当去掉'
        assert '\nimport ' not in body and '\nfrom ' not in body, 'import 应全部提到文件开头'
        # 每个顶层定义前一行注明讲授它的小节
        lines = text.split('\n')
        for i, line in enumerate(lines):
            if line.startswith(('def ', 'class ')):
                above = i - 1
                while lines[above].startswith('@'):   # 装饰器属于定义本身
                    above -= 1
                assert lines[above].startswith('# ') and '·' in lines[above], line


def test_plot_utilities_are_tagged_with_calculus_section():
    source = inspect.getsource(sys.modules['d2l_local.ch2_preliminaries'])
    assert '微积分 · chapter_preliminaries/calculus\ndef plot(' in source


def test_undefined_name_in_saved_code_fails_with_a_clear_message(tmp_path):
    chapters = [build_lib.Chapter('3', 'chapter_x', 'X')]
    node = build_lib.ast.parse('def f():\n    return helper() + len([])').body[0]
    chapters[0].blocks.append(('3.1 某节 · x', node, ['def f():', '    return helper() + len([])']))
    with pytest.raises(build_lib.SaveError, match="f 用到了名字 'helper'"):
        build_lib.check_names({}, chapters)


def test_later_chapter_names_are_not_visible_to_earlier_chapters():
    parse = lambda text: build_lib.ast.parse(text).body[0]
    early, late = build_lib.Chapter('3', 'chapter_a', 'A'), build_lib.Chapter('4', 'chapter_b', 'B')
    early.blocks.append(('3.1', parse('def f():\n    return g()'), []))
    late.blocks.append(('4.1', parse('def g():\n    return 1'), []))
    with pytest.raises(build_lib.SaveError, match="'g'"):
        build_lib.check_names({}, [early, late])
    early.blocks, late.blocks = late.blocks, early.blocks   # 反过来：后一章用前一章的名字
    earlier, _ = build_lib.check_names({}, [early, late])
    assert earlier == {'ch3_a': {}, 'ch4_b': {'ch3_a': ['g']}}


def saved(source):
    return [(type(node).__name__, '\n'.join(body))
            for node, body in build_lib.saved_statements(source, 'test')]


def test_whole_cell_is_saved_when_first_line_is_a_marked_comment():
    cell = '#@save\nimport torch\nfrom torch import nn\n\ndef f(x):\n    return x\n\nf(1)'
    kinds = [kind for kind, _ in saved(cell)]
    assert kinds == ['Import', 'ImportFrom', 'FunctionDef', 'Expr']


def test_marked_import_saves_only_itself():
    cell = 'import torch  #@save\nfrom torch import nn\n\ndef f(x):\n    return x'
    assert [kind for kind, _ in saved(cell)] == ['Import']


def test_only_marked_definitions_are_saved():
    cell = ('def helper():\n    pass\n\n'
            'def kept(a,\n         b=1):  #@save\n    """doc"""\n    return a + b\n\n'
            'class Kept:  #@save\n    pass\n\nkept(1)')
    result = saved(cell)
    assert [kind for kind, _ in result] == ['FunctionDef', 'ClassDef']
    assert result[0][1] == 'def kept(a,\n         b=1):\n    """doc"""\n    return a + b'


def test_unmarked_cell_saves_nothing():
    assert saved('x = 1\n# 讨论 #@save 的用法\n') == []


def test_magics_in_saved_cell_are_rejected():
    with pytest.raises(build_lib.SaveError):
        build_lib.saved_statements('#@save\nimport torch\n%timeit torch.ones(3)', 'x')


def test_magics_elsewhere_do_not_break_parsing():
    assert [k for k, _ in saved('%matplotlib inline\ndef f():  #@save\n    pass')] == ['FunctionDef']
