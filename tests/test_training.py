"""训练工具在脚本/CI 中的行为，以及 download 系列函数与数据层的衔接。"""
from pathlib import Path

import pytest
import torch
from torch import nn

import d2l_local as d2l
from d2l_local import hub, workload

SHARED_DATA = Path(__file__).resolve().parents[2] / 'shared' / 'data'


def test_animator_prints_one_line_per_add_outside_jupyter(capsys):
    assert not d2l._helpers.in_notebook()
    animator = d2l.Animator(xlabel='epoch', legend=['train loss', 'test acc'])
    animator.add(1, (0.75, 0.5))
    animator.add(2, (0.5, None))
    assert capsys.readouterr().out.splitlines() == [
        'epoch 1: train loss 0.7500, test acc 0.5000', 'epoch 2: train loss 0.5000']
    assert animator.Y == [[0.75, 0.5], [0.5]]


def tiny_classification(n=96):
    torch.manual_seed(0)
    X = torch.randn(n, 1, 4, 4)
    y = (X.flatten(1).sum(1) > 0).long()
    return d2l.load_array((X, y), 16), d2l.load_array((X, y), 16, is_train=False)


@pytest.mark.parametrize('mode, epochs_run', [('', 3), ('1', 2)])
def test_train_ch3_reports_every_epoch_and_a_summary(monkeypatch, capsys, mode, epochs_run):
    monkeypatch.setenv('D2L_QUICK', mode)
    train_iter, test_iter = tiny_classification()
    torch.manual_seed(0)
    net = nn.Sequential(nn.Flatten(), nn.Linear(16, 2))
    d2l.train_ch3(net, train_iter, test_iter, nn.CrossEntropyLoss(reduction='none'), 3,
                  torch.optim.SGD(net.parameters(), lr=0.5))
    lines = capsys.readouterr().out.splitlines()
    epoch_lines = [line for line in lines if line.startswith('epoch ')]
    assert len(epoch_lines) == epochs_run
    assert lines[-1].startswith('loss ') and 'train acc' in lines[-1] and 'test acc' in lines[-1]
    assert float(lines[-1].split('test acc ')[1]) > 0.8
    assert any(line.startswith(workload.NOTICE_PREFIX) for line in lines) == (mode == '1')


def test_quick_mode_caps_fashion_mnist_batches(monkeypatch, capsys):
    monkeypatch.setenv('D2L_QUICK', '1')
    train_iter, test_iter = d2l.load_data_fashion_mnist(256)
    assert (len(train_iter), len(test_iter)) == (20, 10)
    assert sum(1 for _ in train_iter) == 20
    assert '235 → 20' in capsys.readouterr().out
    monkeypatch.setenv('D2L_QUICK', '')
    train_iter, test_iter = d2l.load_data_fashion_mnist(256)
    assert (len(train_iter), len(test_iter)) == (235, 40)


def test_resize_matrix_matches_interpolate():
    torch.manual_seed(0)
    X = torch.rand(3, 28, 28)
    for size in (14, 64, 224):
        R = d2l.resize_matrix(28, size)
        expected = torch.nn.functional.interpolate(
            X.unsqueeze(1), size=(size, size), mode='bilinear', antialias=True,
            align_corners=False).squeeze(1)
        assert torch.allclose(R @ X @ R.T, expected, atol=1e-5)


@pytest.mark.skipif(not SHARED_DATA.is_dir(), reason='没有 ../shared/data 镜像')
def test_download_and_extract_use_the_data_layer(tmp_path, monkeypatch):
    monkeypatch.setenv('D2L_DATA_DIR', str(tmp_path))
    monkeypatch.setenv('D2L_DATA_MIRROR', str(SHARED_DATA))
    monkeypatch.setitem(d2l.DATA_HUB, 'fra-eng', (d2l.DATA_URL + 'fra-eng.zip',
                                                 '94646ad1522d915e7b0f9296181140edcf86a4f5'))
    path = d2l.download('kaggle_house_train')
    assert isinstance(path, str) and Path(path) == tmp_path / 'kaggle_house_pred_train.csv'
    # 镜像里的 zip 与上游字节不同，靠登记表里 fra.txt 的内容哈希通过校验
    folder = d2l.download_extract('fra-eng')
    assert Path(folder) == tmp_path / 'fra-eng'
    assert (tmp_path / 'fra-eng' / 'fra.txt').stat().st_size > 1_000_000


def test_download_unknown_url_is_verified(tmp_path, monkeypatch):
    monkeypatch.setenv('D2L_DATA_DIR', str(tmp_path))
    monkeypatch.delenv('D2L_DATA_MIRROR', raising=False)
    monkeypatch.setitem(d2l.DATA_HUB, 'nowhere', ('http://127.0.0.1:9/x.csv', '0' * 40))
    with pytest.raises(hub.DataUnavailableError, match='x.csv'):
        d2l.download('nowhere')
