"""第7章：残差块与 d2l 0.17.6 对照，CPU 缩减运行和快速模式按像素量缩小数据。"""
import pytest
import torch

import d2l_local as d2l
from d2l_local import workload

reference = pytest.importorskip('d2l.torch', reason='需要 pip install --no-deps d2l==0.17.6')


@pytest.mark.parametrize('args', [(3, 3), (3, 6, True, 2), (4, 4, True, 1)])
def test_residual_agrees_with_reference(args):
    torch.manual_seed(0)
    ours, theirs = d2l.Residual(*args), reference.Residual(*args)
    assert list(ours.state_dict()) == list(theirs.state_dict())   # 参数名相同，可以互相加载
    theirs.load_state_dict(ours.state_dict())
    X = torch.randn(2, args[0], 8, 8)
    for mode in ('train', 'eval'):
        getattr(ours, mode)(), getattr(theirs, mode)()
        torch.testing.assert_close(ours(X), theirs(X))
    stride = args[3] if len(args) > 3 else 1
    assert ours(X).shape == (2, args[1], 8 // stride, 8 // stride)


def test_reduce_on_cpu_shortens_and_says_so(capsys, monkeypatch):
    monkeypatch.delenv('D2L_QUICK', raising=False)
    train_iter, test_iter = d2l.load_data_fashion_mnist(128, resize=32)
    reduced_train, reduced_test, epochs = d2l.reduce_on_cpu(train_iter, test_iter, 10, torch.device('cpu'),
                                                           train_batches=3, test_batches=2)
    assert (len(reduced_train), len(reduced_test), epochs) == (3, 2, 1)
    assert len(train_iter) == 469 and len(test_iter) == 79   # 原来的迭代器不变
    assert len(list(reduced_train)) == 3 and next(iter(reduced_train))[0].shape == (128, 1, 32, 32)
    assert capsys.readouterr().out == 'CPU 缩减运行：训练轮数 10 → 1，每轮训练批量 469 → 3，测试批量 79 → 2\n'
    for device in ('cuda', torch.device('meta')):
        assert d2l.reduce_on_cpu(train_iter, test_iter, 10, device) == (train_iter, test_iter, 10)
    assert capsys.readouterr().out == ''


@pytest.mark.parametrize('batch_size, resize, expected', [
    (256, None, (20, 10)), (128, 224, (2, 1)), (256, 96, (2, 1)), (128, 96, (3, 2)), (256, 64, (4, 2))])
def test_quick_loader_keeps_a_pixel_budget(monkeypatch, batch_size, resize, expected):
    monkeypatch.setenv('D2L_QUICK', '1')
    train_iter, test_iter = d2l.load_data_fashion_mnist(batch_size, resize)
    assert (len(train_iter), len(test_iter)) == expected
    monkeypatch.delenv('D2L_QUICK')
    assert not workload.quick_mode()
