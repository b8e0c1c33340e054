"""快速模式：默认关闭；打开时缩小工作量并醒目地说明一次；比对时说明行被去掉。"""
import nbformat
import pytest

from d2l_local import quick
from conftest import drop_quick_notices


@pytest.fixture(autouse=True)
def fresh(monkeypatch):
    monkeypatch.setattr(quick, '_announced', set())


@pytest.mark.parametrize('value, expected', [(None, False), ('', False), ('0', False),
                                             ('false', False), ('1', True), ('yes', True)])
def test_enabled_reads_environment(monkeypatch, value, expected):
    if value is None:
        monkeypatch.delenv('D2L_QUICK', raising=False)
    else:
        monkeypatch.setenv('D2L_QUICK', value)
    assert quick.enabled() is expected


def test_full_mode_changes_nothing(monkeypatch, capsys):
    monkeypatch.delenv('D2L_QUICK', raising=False)
    assert quick.choose('训练轮数', 10, 2) == 10
    assert list(quick.limit(range(5), 2, '每轮批量数')) == [0, 1, 2, 3, 4]
    assert capsys.readouterr().out == ''


def test_quick_mode_shrinks_and_announces_once(monkeypatch, capsys):
    monkeypatch.setenv('D2L_QUICK', '1')
    assert quick.choose('训练轮数', 10, 2) == 2
    assert quick.choose('训练轮数', 10, 2) == 2
    assert list(quick.limit(range(5), 2, '每轮批量数')) == [0, 1]
    lines = capsys.readouterr().out.splitlines()
    assert lines == [f'{quick.NOTICE_PREFIX} 训练轮数：10 → 2（完整模式不缩小）',
                     f'{quick.NOTICE_PREFIX} 每轮批量数：最多 2（完整模式不缩小）']


def test_quick_mode_leaves_values_it_does_not_shrink(monkeypatch, capsys):
    monkeypatch.setenv('D2L_QUICK', '1')
    assert quick.choose('训练轮数', 2, 2) == 2
    assert quick.choose('训练轮数', 1, 2) == 1   # 只缩小，不放大
    assert capsys.readouterr().out == ''


def test_notices_are_dropped_before_comparison():
    notice = f'{quick.NOTICE_PREFIX} 训练轮数：10 → 2（完整模式不缩小）\n'
    outputs = [nbformat.v4.new_output('stream', name='stdout', text=notice),
               nbformat.v4.new_output('stream', name='stdout', text=notice + 'loss 0.3\n'),
               nbformat.v4.new_output('execute_result', data={'text/plain': '3'})]
    kept = drop_quick_notices(outputs)
    assert [o.get('text') for o in kept] == ['loss 0.3\n', None]
    assert kept[0].output_type == 'stream'


def test_minus_one_means_everything_and_is_shrunk(monkeypatch, capsys):
    """书中用 -1 表示“全部”（如 max_tokens=-1）：快速模式把它当作最大的值来缩小。"""
    monkeypatch.setenv('D2L_QUICK', '1')
    assert quick.choose('语料长度（字符数）', -1, 3000) == 3000
    assert capsys.readouterr().out == f'{quick.NOTICE_PREFIX} 语料长度（字符数）：全部 → 3000（完整模式不缩小）\n'
    monkeypatch.delenv('D2L_QUICK')
    assert quick.choose('语料长度（字符数）', -1, 3000) == -1


def test_whole_corpus_is_shrunk_in_quick_mode(monkeypatch):
    import d2l_local as d2l
    monkeypatch.setenv('D2L_QUICK', '1')
    corpus, _ = d2l.load_corpus_time_machine(3000)
    data_iter, _ = d2l.load_data_time_machine(32, 35, max_tokens=-1)
    assert len(data_iter.corpus) == len(corpus) == 3000
