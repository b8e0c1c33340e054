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
    """包必须与 make lib 会写出的内容完全一致。"""
    expected = build_lib.render()
    actual = (ROOT / build_lib.TARGET).read_text(encoding='utf-8')
    assert actual == expected, '运行 make lib 重新生成 d2l_local'


def test_every_saved_name_is_exposed_at_top_level():
    _, blocks = build_lib.collect()
    names = set()
    for _, body in blocks:
        for line in body:
            if line.startswith(('def ', 'class ')):
                names.add(line.split()[1].split('(')[0].rstrip(':'))
    assert names, '书中应当至少保存了一个定义'
    for name in names:
        assert hasattr(d2l, name), name


def test_package_refers_to_itself_as_d2l():
    assert d2l.d2l is d2l
    assert d2l.hub.fetch and d2l.quick.enabled


def test_generated_code_reads_like_hand_written_code():
    text = (ROOT / build_lib.TARGET).read_text(encoding='utf-8')
    assert text.startswith('"""')
    body = text.split('d2l = sys.modules[__name__]', 1)[1]
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
    source = inspect.getsource(d2l)
    assert '微积分 · chapter_preliminaries/calculus\ndef plot(' in source


def saved(source):
    return [(type(node).__name__, '\n'.join(body))
            for node, body in build_lib.saved_statements(source, 'test')]


def test_whole_cell_is_saved_when_first_line_is_marked():
    cell = 'import torch  #@save\nfrom torch import nn\n\ndef f(x):\n    return x\n\nf(1)'
    kinds = [kind for kind, _ in saved(cell)]
    assert kinds == ['Import', 'ImportFrom', 'FunctionDef', 'Expr']


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
        build_lib.saved_statements('import torch  #@save\n%timeit torch.ones(3)', 'x')


def test_magics_elsewhere_do_not_break_parsing():
    assert [k for k, _ in saved('%matplotlib inline\ndef f():  #@save\n    pass')] == ['FunctionDef']
