"""第3–4章保存的函数与 d2l 0.17.6 的对照：同样的输入给出同样的结果。"""
import inspect

import pytest
import torch
from torch import nn

import d2l_local

reference = pytest.importorskip('d2l.torch', reason='需要 pip install --no-deps d2l==0.17.6')

SAME_SIGNATURE = ['Timer', 'synthetic_data', 'linreg', 'squared_loss', 'sgd', 'load_array',
                  'get_fashion_mnist_labels', 'show_images', 'get_dataloader_workers',
                  'load_data_fashion_mnist', 'accuracy', 'evaluate_accuracy', 'Accumulator',
                  'train_epoch_ch3', 'Animator', 'train_ch3', 'predict_ch3', 'evaluate_loss',
                  'download_extract', 'download_all']


@pytest.mark.parametrize('name', SAME_SIGNATURE)
def test_same_signature(name):
    ours, theirs = getattr(d2l_local, name), getattr(reference, name)
    if inspect.isclass(ours):
        for method in ('__init__', 'add', 'start', 'stop', 'avg', 'sum', 'cumsum', 'reset'):
            if hasattr(theirs, method):
                assert inspect.signature(getattr(ours, method)) == inspect.signature(getattr(theirs, method))
    else:
        assert inspect.signature(ours) == inspect.signature(theirs)


def test_download_keeps_parameter_names():
    # 默认的缓存目录不同（d2l 是相对当前目录的 '../data'，本书是数据层的缓存目录），参数名相同
    assert (list(inspect.signature(d2l_local.download).parameters)
            == list(inspect.signature(reference.download).parameters))


def test_data_hub_entries_match():
    for name in ('kaggle_house_train', 'kaggle_house_test'):
        assert d2l_local.DATA_HUB[name] == reference.DATA_HUB[name]
    assert d2l_local.DATA_URL == reference.DATA_URL


def test_synthetic_data_same_under_seed():
    w, b = torch.tensor([2, -3.4]), 4.2
    torch.manual_seed(0)
    ours = d2l_local.synthetic_data(w, b, 1000)
    torch.manual_seed(0)
    theirs = reference.synthetic_data(w, b, 1000)
    assert all(torch.equal(a, b) for a, b in zip(ours, theirs))
    X, y = ours
    assert X.shape == (1000, 2) and y.shape == (1000, 1)
    assert abs(X.mean()) < 0.1 and abs(X.std() - 1) < 0.1


@pytest.mark.parametrize('is_train', [True, False])
def test_load_array_batches_the_same(is_train):
    X, y = torch.arange(46.).reshape(23, 2), torch.arange(23.)
    batches = []
    for module in (d2l_local, reference):
        torch.manual_seed(1)
        batches.append([(a.clone(), b.clone()) for a, b in module.load_array((X, y), 5, is_train)])
    assert len(batches[0]) == len(batches[1]) == 5
    for (a1, b1), (a2, b2) in zip(*batches):
        assert torch.equal(a1, a2) and torch.equal(b1, b2)


def test_linreg_squared_loss_sgd_agree():
    torch.manual_seed(0)
    X, w0, b0, y = torch.randn(8, 3), torch.randn(3, 1), torch.randn(1), torch.randn(8)
    results = []
    for module in (d2l_local, reference):
        w, b = w0.clone().requires_grad_(), b0.clone().requires_grad_()
        y_hat = module.linreg(X, w, b)
        loss = module.squared_loss(y_hat, y)
        loss.sum().backward()
        module.sgd([w, b], 0.1, 8)
        results.append((y_hat.detach(), loss.detach(), w.detach(), b.detach(), w.grad.clone()))
    for ours, theirs in zip(*results):
        assert torch.equal(ours, theirs)


def test_accuracy_accumulator_evaluate_accuracy_agree():
    torch.manual_seed(0)
    X, y = torch.randn(50, 4), torch.randint(0, 3, (50,))
    net = nn.Linear(4, 3)
    y_hat = net(X)
    assert d2l_local.accuracy(y_hat, y) == reference.accuracy(y_hat, y)
    assert d2l_local.accuracy(y_hat.argmax(1), y) == reference.accuracy(y_hat.argmax(1), y)
    ours, theirs = d2l_local.Accumulator(3), reference.Accumulator(3)
    for args in [(1, 2.5, torch.tensor(3.0)), (4, 0.5, 1)]:
        ours.add(*args)
        theirs.add(*args)
    assert [ours[i] for i in range(3)] == [theirs[i] for i in range(3)]
    ours.reset()
    assert ours[0] == 0.0
    data_iter = d2l_local.load_array((X, y), 16, is_train=False)
    assert d2l_local.evaluate_accuracy(net, data_iter) == reference.evaluate_accuracy(net, data_iter)


def test_fashion_mnist_labels_agree():
    labels = torch.arange(10).flip(0)
    assert d2l_local.get_fashion_mnist_labels(labels) == reference.get_fashion_mnist_labels(labels)


def test_dataloader_workers():
    assert d2l_local.get_dataloader_workers() == 0   # 内存中按下标取批量，不需要子进程


@pytest.fixture(scope='module')
def reference_loaders(reference_workdir):
    """d2l 0.17.6 的加载器：torchvision 在 '../data/FashionMNIST/raw' 里找解压后的文件。"""
    return lambda batch_size, resize=None: reference.load_data_fashion_mnist(batch_size, resize)


@pytest.mark.parametrize('resize', [None, 64])
def test_same_images_and_labels_as_d2l(reference_loaders, resize):
    """测试集不打乱，两边同一下标上的图像与标签对照。"""
    _, ours = d2l_local.load_data_fashion_mnist(64, resize=resize)
    _, theirs = reference_loaders(64, resize)
    (X1, y1), (X2, y2) = next(iter(ours)), next(iter(theirs))
    assert X1.dtype == X2.dtype == torch.float32 and y1.dtype == y2.dtype == torch.int64
    assert X1.shape == X2.shape
    assert torch.equal(y1, y2)
    difference = (X1 - X2).abs().max().item()
    if resize is None:
        assert difference == 0
    else:
        # d2l 用 PIL 在 uint8 上缩放后再除以 255；本书在 float32 上缩放：差别是 uint8 的舍入
        assert difference <= 1 / 255 + 1e-6


def test_train_loader_contract():
    train_iter, test_iter = d2l_local.load_data_fashion_mnist(256)
    X, y = next(iter(train_iter))
    assert X.shape == (256, 1, 28, 28) and X.dtype == torch.float32 and y.dtype == torch.int64
    assert 0 <= X.min() and X.max() <= 1
    first = [next(iter(train_iter))[1] for _ in range(2)]
    assert not torch.equal(*first), '训练集每轮应重新打乱'
    assert torch.equal(next(iter(test_iter))[1], next(iter(test_iter))[1])
