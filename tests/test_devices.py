"""设备选择：CUDA 的行为与 d2l 0.17.6 相同；没有 CUDA 而有 Apple 的 MPS 时选用 mps。

这台机器没有 Mac，也可能没有 GPU，所以用 monkeypatch 模拟 torch 报告的设备。
"""
import pytest
import torch

import d2l_local as d2l


@pytest.fixture
def machine(monkeypatch):
    """machine(cuda=设备数, mps=是否可用)：让 torch 报告这样一台机器。"""
    def fake(cuda=0, mps=False):
        monkeypatch.setattr(torch.cuda, 'device_count', lambda: cuda)
        monkeypatch.setattr(torch.cuda, 'is_available', lambda: cuda > 0)
        monkeypatch.setattr(torch.backends.mps, 'is_available', lambda: mps)
    return fake


def devices(*names):
    return [torch.device(name) for name in names]


@pytest.mark.parametrize('cuda, mps, first, second, everything', [
    (0, False, 'cpu', 'cpu', ['cpu']),                    # 只有 CPU
    (1, False, 'cuda:0', 'cpu', ['cuda:0']),              # 一块 GPU：try_gpu(1) 退回 CPU
    (2, False, 'cuda:0', 'cuda:1', ['cuda:0', 'cuda:1']),
    (0, True, 'mps', 'cpu', ['mps']),                     # Apple 芯片：MPS 只有一个设备
    (1, True, 'cuda:0', 'cpu', ['cuda:0']),               # 有 CUDA 时优先 CUDA
])
def test_device_choice(machine, cuda, mps, first, second, everything):
    machine(cuda=cuda, mps=mps)
    assert d2l.try_gpu() == torch.device(first)
    assert d2l.try_gpu(1) == torch.device(second)
    assert d2l.try_all_gpus() == devices(*everything)


def test_cuda_behaviour_matches_d2l(machine):
    reference = pytest.importorskip('d2l.torch')
    for cuda in (0, 1, 3):
        machine(cuda=cuda, mps=False)
        for i in range(4):
            assert d2l.try_gpu(i) == reference.try_gpu(i)
        assert d2l.try_all_gpus() == reference.try_all_gpus()


def test_no_mixed_precision_on_mps(capsys):
    """train_ch6(mixed_precision=True) 在 MPS 上打印原因，照常以 float32 训练；CUDA、CPU 上启用。"""
    autocast, scaler = d2l._helpers.autocast_on('mps', True)
    assert not scaler.is_enabled()
    with autocast():
        assert not torch.is_autocast_enabled('mps')
    assert 'MPS 上不启用混合精度' in capsys.readouterr().out
    autocast, _ = d2l._helpers.autocast_on('cpu', True)
    with autocast():
        assert torch.get_autocast_dtype('cpu') == torch.bfloat16 and torch.is_autocast_enabled('cpu')
    autocast, _ = d2l._helpers.autocast_on('cpu', False)
    with autocast():
        assert not torch.is_autocast_enabled('cpu')
    assert capsys.readouterr().out == ''
