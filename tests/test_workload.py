"""工作量策略：默认不缩小；快速模式缩小工作量并醒目地说明一次；比对时说明行被去掉。"""
import nbformat
import pytest

import d2l_local as d2l
from d2l_local import workload
from conftest import drop_quick_notices


@pytest.mark.parametrize('value, expected', [(None, False), ('', False), ('0', False),
                                             ('false', False), ('1', True), ('yes', True)])
def test_quick_mode_reads_environment(monkeypatch, value, expected):
    if value is None:
        monkeypatch.delenv('D2L_QUICK', raising=False)
    else:
        monkeypatch.setenv('D2L_QUICK', value)
    assert workload.quick_mode() is expected


def test_full_mode_changes_nothing(monkeypatch, capsys):
    monkeypatch.delenv('D2L_QUICK', raising=False)
    assert workload.quick('训练轮数', 10, 2) == 10
    assert workload.epochs('train_ch8', 500) == 500
    assert capsys.readouterr().out == ''


def test_quick_mode_shrinks_and_announces_once(monkeypatch, capsys):
    monkeypatch.setenv('D2L_QUICK', '1')
    assert workload.quick('训练轮数', 10, 2) == 2
    assert workload.epochs('train_ch3', 10) == 2
    assert workload.epochs('train_seq2seq', 300) == 30
    lines = capsys.readouterr().out.splitlines()
    assert lines == [f'{workload.NOTICE_PREFIX} 训练轮数：10 → 2（完整模式不缩小）',
                     f'{workload.NOTICE_PREFIX} 训练轮数：300 → 30（完整模式不缩小）']


def test_reset_notices_prints_again(monkeypatch, capsys):
    monkeypatch.setenv('D2L_QUICK', '1')
    workload.quick('训练轮数', 10, 2)
    workload.reset_notices()
    workload.quick('训练轮数', 10, 2)
    assert len(capsys.readouterr().out.splitlines()) == 2


def test_quick_mode_leaves_values_it_does_not_shrink(monkeypatch, capsys):
    monkeypatch.setenv('D2L_QUICK', '1')
    assert workload.quick('训练轮数', 2, 2) == 2
    assert workload.quick('训练轮数', 1, 2) == 1   # 只缩小，不放大
    assert capsys.readouterr().out == ''


def test_notices_are_dropped_before_comparison():
    notice = f'{workload.NOTICE_PREFIX} 训练轮数：10 → 2（完整模式不缩小）\n'
    outputs = [nbformat.v4.new_output('stream', name='stdout', text=notice),
               nbformat.v4.new_output('stream', name='stdout', text=notice + 'loss 0.3\n'),
               nbformat.v4.new_output('execute_result', data={'text/plain': '3'})]
    kept = drop_quick_notices(outputs)
    assert [o.get('text') for o in kept] == ['loss 0.3\n', None]
    assert kept[0].output_type == 'stream'


def test_minus_one_means_everything_and_is_shrunk(monkeypatch, capsys):
    """书中用 -1 表示“全部”（如 max_tokens=-1）：快速模式把它当作最大的值来缩小。"""
    monkeypatch.setenv('D2L_QUICK', '1')
    assert workload.quick('语料长度（字符数）', -1, 3000) == 3000
    assert capsys.readouterr().out == f'{workload.NOTICE_PREFIX} 语料长度（字符数）：全部 → 3000（完整模式不缩小）\n'
    monkeypatch.delenv('D2L_QUICK')
    assert workload.quick('语料长度（字符数）', -1, 3000) == -1


def test_plan_data_uses_the_loaders_public_api(monkeypatch, capsys):
    """快速模式下 plan_data 只通过 take 缩短加载器，原来的加载器不变。"""
    monkeypatch.setenv('D2L_QUICK', '1')
    images, labels = d2l.read_fashion_mnist(train=False)
    full = d2l.TensorLoader(images, labels, 256)
    train, test = workload.plan_data(full, full)
    assert (len(train), len(test), len(full)) == (20, 10, 40)
    assert sum(1 for _ in train) == 20
    assert '40 → 20' in capsys.readouterr().out
