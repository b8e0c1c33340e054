"""第 4 章 多层感知机：书中保存的定义，按讲授的顺序。

本文件由 tools/build_lib.py 从书中的 #@save 单元生成，请勿手工修改：修改书中的单元后运行 `make lib`。
"""
import os
import torch
from d2l_local import hub
from d2l_local.ch3_linear_networks import Accumulator

__all__ = [
    'evaluate_loss', 'DATA_URL', 'DATA_HUB', 'download', 'download_extract', 'download_all',
]


# 4.4 模型选择、欠拟合和过拟合 · chapter_multilayer-perceptrons/underfit-overfit
def evaluate_loss(net, data_iter, loss):
    """计算模型在数据集上的平均损失。"""
    metric = Accumulator(2)  # 损失总和、样本数
    with torch.no_grad():
        for X, y in data_iter:
            out = net(X)
            y = y.reshape(out.shape)
            l = loss(out, y)
            metric.add(l.sum(), l.numel())
    return metric[0] / metric[1]


# 4.10 实战Kaggle比赛：预测房价 · chapter_multilayer-perceptrons/kaggle-house-price
DATA_URL = hub.D2L_DATA_URL

DATA_HUB = hub.d2l_data_hub()


# 4.10 实战Kaggle比赛：预测房价 · chapter_multilayer-perceptrons/kaggle-house-price
def download(name, cache_dir=os.path.join('..', 'data')):
    """取得 DATA_HUB 中登记的文件，返回本地文件名。

    查找顺序（缓存、镜像、系统副本、下载）和哈希校验都由 d2l_local.hub 负责。
    默认的 cache_dir 沿用经典 d2l 的写法 '../data'，在本书里表示本书的数据缓存目录
    （仓库的 data/，可用环境变量 D2L_DATA_DIR 改）；给出别的目录时文件缓存到那里。
    """
    assert name in DATA_HUB, f'{name} 不在 DATA_HUB 中'
    url, sha1 = DATA_HUB[name]
    folder = None if cache_dir == os.path.join('..', 'data') else cache_dir
    if hub.d2l_data_hub().get(name) == (url, sha1):
        # 本书登记过的文件：hub 还认得它重新压缩过的副本（按内容哈希校验）
        return str(hub.fetch(name, folder))
    return str(hub.fetch_url(url, sha1, folder))  # 读者自己登记的文件


# 4.10 实战Kaggle比赛：预测房价 · chapter_multilayer-perceptrons/kaggle-house-price
def download_extract(name, folder=None):
    """取得并解压 zip 或 tar 文件，返回解压出的目录（给出 folder 时返回其中的这个子目录）。"""
    archive = download(name)
    stem, suffix = os.path.splitext(archive)
    assert suffix in ('.zip', '.tar', '.gz'), '只能解压 zip 或 tar 文件'
    target = os.path.dirname(archive)
    hub.extract(archive, target)
    return stem if folder is None else os.path.join(target, folder)


# 4.10 实战Kaggle比赛：预测房价 · chapter_multilayer-perceptrons/kaggle-house-price
def download_all():
    """取得 DATA_HUB 中的全部文件。"""
    for name in DATA_HUB:
        download(name)
