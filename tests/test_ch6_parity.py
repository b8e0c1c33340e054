"""第5–6章保存的函数与 d2l 0.17.6 的对照，以及 train_ch6 在脚本中的行为。"""
import inspect

import pytest
import torch
from torch import nn

import d2l_local as d2l
from d2l_local import workload

reference = pytest.importorskip('d2l.torch', reason='需要 pip install --no-deps d2l==0.17.6')


@pytest.mark.parametrize('name', ['try_gpu', 'try_all_gpus', 'corr2d', 'evaluate_accuracy_gpu',
                                  'train_ch6'])
def test_same_signature(name):
    ours = list(inspect.signature(getattr(d2l, name)).parameters.values())
    theirs = list(inspect.signature(getattr(reference, name)).parameters.values())
    assert ours[:len(theirs)] == theirs
    # 我们多出的参数只能是带默认值的关键字参数，经典的调用方式不受影响
    for extra in ours[len(theirs):]:
        assert extra.kind == extra.KEYWORD_ONLY and extra.default is not extra.empty


def test_try_gpu_agrees(monkeypatch):
    for count in (0, 1, 2):
        monkeypatch.setattr(torch.cuda, 'device_count', lambda: count)
        for i in (0, 1, 3):
            assert d2l.try_gpu(i) == reference.try_gpu(i)
        assert d2l.try_all_gpus() == reference.try_all_gpus()
    monkeypatch.setattr(torch.cuda, 'device_count', lambda: 0)
    assert d2l.try_gpu() == torch.device('cpu') and d2l.try_all_gpus() == [torch.device('cpu')]
    monkeypatch.setattr(torch.cuda, 'device_count', lambda: 1)
    assert d2l.try_gpu(1) == torch.device('cpu'), '只有一块 GPU 时 cuda:1 应退回 CPU'


@pytest.mark.parametrize('x_shape, k_shape', [((3, 3), (2, 2)), ((6, 8), (1, 2)), ((5, 7), (3, 2))])
def test_corr2d_agrees(x_shape, k_shape):
    torch.manual_seed(0)
    X, K = torch.randn(x_shape), torch.randn(k_shape)
    ours, theirs = d2l.corr2d(X, K), reference.corr2d(X, K)
    assert ours.shape == theirs.shape
    assert torch.allclose(ours, theirs, atol=1e-6)
    expected = nn.functional.conv2d(X[None, None], K[None, None])[0, 0]
    assert torch.allclose(ours, expected, atol=1e-5)


def test_corr2d_known_values():
    X = torch.arange(9.).reshape(3, 3)
    K = torch.tensor([[0., 1.], [2., 3.]])
    assert torch.equal(d2l.corr2d(X, K), torch.tensor([[19., 25.], [37., 43.]]))


def fixed_net_and_data():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(2 * 4 * 4, 3))
    X, y = torch.randn(70, 1, 6, 6), torch.randint(0, 3, (70,))
    return net, d2l.load_array((X, y), 16, is_train=False)


def test_evaluate_accuracy_gpu_agrees():
    net, data_iter = fixed_net_and_data()
    ours = d2l.evaluate_accuracy_gpu(net, data_iter)
    theirs = reference.evaluate_accuracy_gpu(net, data_iter)
    assert ours == theirs and 0 < ours < 1
    assert d2l.evaluate_accuracy_gpu(net, data_iter, torch.device('cpu')) == ours
    assert not net.training, '评估后模型应处于评估模式'


def test_loader_methods_return_new_loaders(monkeypatch):
    monkeypatch.delenv('D2L_QUICK', raising=False)
    train_iter, _ = d2l.load_data_fashion_mnist(64, resize=32)
    assert train_iter.to(torch.device('cpu')) is train_iter, '已经在目标设备上时不复制'
    meta = train_iter.to('meta')
    assert meta.images.device.type == 'meta' and meta.resize[0].device.type == 'meta'
    assert train_iter.images.device.type == 'cpu', '原来的加载器不变'
    assert len(meta) == len(train_iter) == 938
    short = train_iter.take(3)
    assert (len(short), len(train_iter), short.num_examples) == (3, 938, 60000)
    assert len(list(short)) == 3 and len(short.take(10)) == 3
    small = short.resized(16)
    assert next(iter(small))[0].shape == (64, 1, 16, 16) and small.image_size == (16, 16)
    assert train_iter.image_size == (32, 32) and len(small) == 3


def test_place_on_device_moves_loaders_and_leaves_other_iterators():
    train_iter, _ = d2l.load_data_fashion_mnist(64)
    plain = d2l.load_array((torch.zeros(4, 1), torch.zeros(4)), 2)
    net = nn.Linear(1, 1)
    moved, same = d2l._helpers.place_on_device('meta', net, train_iter, plain)
    assert moved.images.device.type == 'meta' and same is plain
    assert net.weight.device.type == 'meta'


@pytest.mark.parametrize('mode, epochs_run', [('', 3), ('1', 2)])
def test_train_ch6_prints_classic_summary(monkeypatch, capsys, mode, epochs_run):
    monkeypatch.setenv('D2L_QUICK', mode)
    torch.manual_seed(0)
    X = torch.randn(120, 1, 6, 6)
    y = (X[:, 0, :3].sum((1, 2)) > X[:, 0, 3:].sum((1, 2))).long()
    train_iter, test_iter = d2l.load_array((X, y), 24), d2l.load_array((X, y), 40, False)
    net = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(64, 2))
    d2l.train_ch6(net, train_iter, test_iter, 3, 0.3, d2l.try_gpu())
    lines = capsys.readouterr().out.splitlines()
    assert lines[0 if mode == '' else 1] == f'training on {d2l.try_gpu()}'
    # 5 个批量：每轮 5 次训练曲线 + 1 次测试精度
    assert sum(line.startswith('epoch ') for line in lines) == 6 * epochs_run
    loss_line, speed_line = lines[-2], lines[-1]
    assert loss_line.startswith('loss ') and 'train acc' in loss_line and 'test acc' in loss_line
    assert float(loss_line.split('test acc ')[1]) > 0.8
    assert speed_line.endswith(f'examples/sec on {d2l.try_gpu()}')
    assert float(speed_line.split()[0]) > 0
    assert any(line.startswith(workload.NOTICE_PREFIX) for line in lines) == (mode == '1')


def test_train_ch6_mixed_precision_is_opt_in(monkeypatch, capsys):
    """默认 float32；mixed_precision=True 时（CPU 上是 bfloat16）同样能把这个小问题学会。"""
    monkeypatch.setenv('D2L_QUICK', '')
    results = {}
    for mixed in (False, True):
        torch.manual_seed(0)
        X = torch.randn(120, 1, 6, 6)
        y = (X[:, 0, :3].sum((1, 2)) > X[:, 0, 3:].sum((1, 2))).long()
        train_iter, test_iter = d2l.load_array((X, y), 24), d2l.load_array((X, y), 40, False)
        net = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(64, 2))
        d2l.train_ch6(net, train_iter, test_iter, 3, 0.3, torch.device('cpu'), mixed_precision=mixed)
        results[mixed] = float(capsys.readouterr().out.splitlines()[-2].split('test acc ')[1])
        assert net[0].weight.dtype == torch.float32   # 参数始终是 float32
    assert results[False] > 0.8 and results[True] > 0.8
