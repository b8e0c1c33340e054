"""第 6 章 卷积神经网络：书中保存的定义，按讲授的顺序。

本文件由 tools/build_lib.py 从书中的 #@save 单元生成，请勿手工修改：修改书中的单元后运行 `make lib`。
"""
import math
import torch
from torch import nn
from d2l_local import _helpers, workload
from d2l_local.ch3_linear_networks import Animator, Timer

__all__ = [
    'corr2d', 'evaluate_accuracy_gpu', 'train_ch6',
]


# 6.2 图像卷积 · chapter_convolutional-neural-networks/conv-layer
def corr2d(X, K):
    """二维互相关运算：核 K 在输入 X 上滑动，每个位置求逐元素乘积之和。"""
    h, w = K.shape
    Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y


# 6.6 卷积神经网络（LeNet） · chapter_convolutional-neural-networks/lenet
def evaluate_accuracy_gpu(net, data_iter, device=None):
    """在 device（默认是模型参数所在的设备）上计算模型在数据集上的精度。"""
    if hasattr(net, 'eval'):
        net.eval()  # 评估模式
    if device is None and hasattr(net, 'parameters'):
        device = next(net.parameters()).device
    correct, total = torch.zeros((), device=device), 0  # 答对数在设备上累加，最后只取回一次
    with torch.no_grad():
        for X, y in data_iter:
            X = [x.to(device) for x in X] if isinstance(X, list) else X.to(device)
            y = y.to(device)
            correct += (net(X).argmax(dim=1) == y).sum()
            total += y.numel()
    return float(correct) / total


# 6.6 卷积神经网络（LeNet） · chapter_convolutional-neural-networks/lenet
def train_ch6(net, train_iter, test_iter, num_epochs, lr, device, *,
              mixed_precision=False):
    """在 device 上训练模型（第6章）：Xavier 初始化，小批量随机梯度下降，交叉熵损失。

    mixed_precision=True 时前向计算在 autocast 下使用低精度（CUDA 上 float16，CPU 上
    bfloat16；Apple 的 MPS 上不启用）；默认 False，即本书讲授的 float32 训练。
    只有 CPU 而书中的设置是为 GPU 写的（第 7 章）时，工作量策略缩小训练并打印一行说明。
    """
    for layer in net.modules():
        if type(layer) in (nn.Linear, nn.Conv2d):
            nn.init.xavier_uniform_(layer.weight)
    plan = workload.plan_training('train_ch6', num_epochs, net, train_iter, test_iter, device)
    num_epochs = plan.num_epochs
    print('training on', device)
    train_iter, test_iter = _helpers.place_on_device(
        device, net, plan.train_iter, plan.test_iter, channels_last=True)
    autocast, scaler = _helpers.autocast_on(device, mixed_precision or plan.bfloat16)
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    loss = nn.CrossEntropyLoss()
    num_batches = len(train_iter)
    animator = Animator(xlabel='epoch', xlim=[1 if num_epochs > 1 else 0, num_epochs],
                        legend=['train loss', 'train acc', 'test acc'])
    plot_at = {math.ceil(num_batches * k / 5) - 1 for k in range(1, 6)}  # 每轮画 5 个点
    timer, examples = Timer(), 0
    for epoch in range(num_epochs):
        net.train()
        sums, count = torch.zeros(2, device=device), 0  # 损失总和、答对数：留在设备上累加
        timer.start()
        for i, (X, y) in enumerate(train_iter):
            X, y = X.to(device, memory_format=torch.channels_last), y.to(device)
            with autocast():
                y_hat = net(X)
                l = loss(y_hat, y)
            optimizer.zero_grad()
            scaler.scale(l).backward()
            scaler.step(optimizer)
            scaler.update()
            with torch.no_grad():
                sums[0] += l * len(y)
                sums[1] += (y_hat.argmax(dim=1) == y).sum()
            count += len(y)
            if i in plot_at:  # 只在画图时把统计量取回主机
                train_l, train_acc = (sums / count).tolist()
                animator.add(epoch + (i + 1) / num_batches, (train_l, train_acc, None))
        timer.stop()
        examples += count
        with autocast():
            test_acc = evaluate_accuracy_gpu(net, test_iter)
        animator.add(epoch + 1, (None, None, test_acc))
    print(f'loss {train_l:.3f}, train acc {train_acc:.3f}, test acc {test_acc:.3f}')
    _helpers.report_speed(examples, timer.sum(), 'examples', device)
