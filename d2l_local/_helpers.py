"""训练函数共用的私有小工具：不属于经典 d2l 的 API，读者一般不直接调用。

这是手写的支撑模块（不由 #@save 单元生成）。书中的 ``train_ch3``、``train_ch6``、
``train_ch8``、``train_seq2seq`` 把下面几件与算法无关的杂事交给它们，循环本身只写书中讲解的内容：

* ``in_notebook``：是否在 Jupyter 内核里（``Animator`` 据此选择画图还是打印文字）；
* ``place_on_device``：模型和数据搬到训练设备上；
* ``autocast_on``：混合精度（``torch.autocast`` 与 ``GradScaler``）；
* ``report_speed``：按整段训练时间打印吞吐量和设备。
"""
import contextlib

import torch


def in_notebook():
    """当前是否运行在 Jupyter 内核中（能显示并原地更新图形）。"""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ == 'ZMQInteractiveShell'


def place_on_device(device, net, *loaders, channels_last=False):
    """把模型和数据搬到 ``device``，返回搬好的数据迭代器（元组）。

    有 ``to`` 方法的加载器（本书的 ``TensorLoader``）整体复制过去，之后每个批量直接在设备上
    取出和缩放；其他迭代器原样返回，由训练循环逐批搬运。``channels_last=True`` 时模型参数
    改用“通道在最后”的内存布局（只改排列，不改数值）。
    """
    if channels_last:
        net.to(device, memory_format=torch.channels_last)
    else:
        net.to(device)
    return tuple(loader.to(device) if hasattr(loader, 'to') else loader for loader in loaders)


def autocast_on(device, wanted):
    """混合精度：返回 (上下文工厂, GradScaler)。

    启用时前向计算在 ``torch.autocast`` 下以低精度进行：CUDA 上用 float16（再由 GradScaler
    放大损失，以免很小的梯度下溢成 0），CPU 上用 bfloat16；Apple 的 MPS 上不启用（打印原因）。
    不启用时上下文什么也不做，GradScaler 也原样传递。
    """
    kind = torch.device(device).type
    if wanted and kind == 'mps':
        print('MPS 上不启用混合精度（mixed_precision），按 float32 训练')
        wanted = False
    scaler = torch.amp.GradScaler(kind, enabled=wanted and kind == 'cuda')
    if not wanted:
        return contextlib.nullcontext, scaler
    dtype = torch.float16 if kind == 'cuda' else torch.bfloat16
    return (lambda: torch.autocast(kind, dtype=dtype)), scaler


def report_speed(count, seconds, unit, device):
    """打印吞吐量，例如 ``1234.5 examples/sec on cpu``。"""
    print(f'{count / seconds:.1f} {unit}/sec on {device}')
