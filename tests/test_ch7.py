"""第7章：残差块与 d2l 0.17.6 对照，只有 CPU 时的工作量计划，快速模式按像素量缩小数据。"""
import pytest
import torch
from torch import nn

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


def small_net():
    """只接受边长不小于 70 的输入：卷积核是 70×70。"""
    return nn.Sequential(nn.Conv2d(1, 2, kernel_size=70), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.Linear(2, 10))


def test_cpu_plan_for_enlarged_images(monkeypatch, capsys):
    """CPU 上训练放大过的图像：最小可用边长、按测速折算的每轮图像数、固定测试子集，一行说明。"""
    monkeypatch.delenv('D2L_QUICK', raising=False)
    torch.manual_seed(0)
    net = small_net()
    before = [p.clone() for p in net.parameters()]
    rng = torch.random.get_rng_state()
    train_iter, test_iter = d2l.load_data_fashion_mnist(128, resize=96)
    plan = workload.plan_training('train_ch6', 10, net, train_iter, test_iter, 'cpu')
    assert plan.train_iter.image_size == plan.test_iter.image_size == (80, 80)   # 64 太小
    assert plan.num_epochs == 10 and 1 <= len(plan.train_iter) <= len(train_iter)
    assert len(plan.test_iter) == 16 and plan.bfloat16 == workload.cpu_supports_bfloat16()
    assert torch.equal(rng, torch.random.get_rng_state()), '测速不消耗随机数'
    assert all(torch.equal(a, b) for a, b in zip(before, net.parameters())), '测速不改动网络'
    notice = capsys.readouterr().out
    assert notice.startswith('[只有 CPU] 图像：96×96 → 80×80；') and '测试图像：10000 → 前 2048 张' in notice
    assert notice.count('\n') == 1 and notice.rstrip().endswith('（有 GPU 时不缩小）')


@pytest.mark.parametrize('device, resize', [('meta', 96), ('cpu', None)])
def test_book_settings_are_kept_on_gpu_or_for_28x28(monkeypatch, capsys, device, resize):
    monkeypatch.delenv('D2L_QUICK', raising=False)
    train_iter, test_iter = d2l.load_data_fashion_mnist(256, resize=resize)
    plan = workload.plan_training('train_ch6', 10, small_net(), train_iter, test_iter, device)
    assert (plan.num_epochs, plan.train_iter, plan.test_iter, plan.bfloat16) == (10, train_iter, test_iter, False)
    assert capsys.readouterr().out == ''


def test_quick_mode_skips_the_speed_probe(monkeypatch, capsys):
    monkeypatch.setenv('D2L_QUICK', '1')
    train_iter, test_iter = d2l.load_data_fashion_mnist(128, resize=96)
    monkeypatch.setattr(workload, '_examples_per_second', lambda *args: pytest.fail('快速模式不测速'))
    plan = workload.plan_training('train_ch6', 10, small_net(), train_iter, test_iter, 'cpu')
    assert plan.num_epochs == 2 and plan.train_iter.image_size == (80, 80)
    assert len(plan.train_iter) == len(train_iter)


@pytest.mark.parametrize('batch_size, resize, expected', [
    (256, None, (20, 10)), (128, 224, (2, 1)), (256, 96, (2, 1)), (128, 96, (3, 2)), (256, 64, (4, 2))])
def test_quick_loader_keeps_a_pixel_budget(monkeypatch, batch_size, resize, expected):
    monkeypatch.setenv('D2L_QUICK', '1')
    train_iter, test_iter = d2l.load_data_fashion_mnist(batch_size, resize)
    assert (len(train_iter), len(test_iter)) == expected
    monkeypatch.delenv('D2L_QUICK')
    assert not workload.quick_mode()
