"""第 7 章 现代卷积神经网络：书中保存的定义，按讲授的顺序。

本文件由 tools/build_lib.py 从书中的 #@save 单元生成，请勿手工修改：修改书中的单元后运行 `make lib`。
"""
from torch import nn
from torch.nn import functional as F

__all__ = [
    'Residual',
]


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
