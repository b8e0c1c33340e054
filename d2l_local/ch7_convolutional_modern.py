"""第 7 章 现代卷积神经网络：书中保存的定义，按讲授的顺序。

本文件由 tools/build_lib.py 从书中的 #@save 单元生成，请勿手工修改：修改书中的单元后运行 `make lib`。
"""
import torch
from torch import nn
from torch.nn import functional as F

__all__ = [
    'reduce_on_cpu', 'Residual',
]


# 7.1 深度卷积神经网络（AlexNet） · chapter_convolutional-modern/alexnet
def reduce_on_cpu(train_iter, test_iter, num_epochs, device, epochs=1,
                  train_batches=40, test_batches=20):
    """只有 CPU 时缩小训练量，返回 (train_iter, test_iter, num_epochs)；在 GPU 上原样返回。

    本章的网络按书中的设置要在 GPU 上训练，只用 CPU 要训练好几个小时。缩小的办法是
    少训练几轮、每轮只取前面若干个批量（训练集每轮重新打乱，每轮取到的图像不同），
    并打印一行说明缩小了什么，免得把缩小后的结果当成按书中设置训练的结果。
    """
    if torch.device(device).type != 'cpu':
        return train_iter, test_iter, num_epochs

    reduced = (train_iter.take(train_batches), test_iter.take(test_batches),
               min(num_epochs, epochs))
    print(f'CPU 缩减运行：训练轮数 {num_epochs} → {reduced[2]}，'
          f'每轮训练批量 {len(train_iter)} → {len(reduced[0])}，'
          f'测试批量 {len(test_iter)} → {len(reduced[1])}')
    return reduced


# 7.6 残差网络（ResNet） · chapter_convolutional-modern/resnet
class Residual(nn.Module):
    """ResNet 的残差块：两个 3×3 卷积层（各接批量规范化层），输出与输入相加后再过 ReLU。

    use_1x1conv=True 时，输入先经过一个 1×1 卷积层（步幅为 strides）变换，
    使它的通道数和高宽与主路径的输出一致，才能相加。
    """
    def __init__(self, input_channels, num_channels, use_1x1conv=False, strides=1):
        super().__init__()
        # 主路径：第一个卷积层可以用步幅减半高宽，第二个保持形状
        self.conv1 = nn.Conv2d(input_channels, num_channels, 3, stride=strides, padding=1)
        self.conv2 = nn.Conv2d(num_channels, num_channels, 3, padding=1)
        # 跨层连接：形状要变时用 1×1 卷积调整输入，否则输入原样相加
        self.conv3 = nn.Conv2d(input_channels, num_channels, 1, stride=strides) if use_1x1conv else None
        self.bn1, self.bn2 = nn.BatchNorm2d(num_channels), nn.BatchNorm2d(num_channels)

    def forward(self, X):
        Y = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(X)))))
        shortcut = X if self.conv3 is None else self.conv3(X)
        return F.relu(Y + shortcut)
