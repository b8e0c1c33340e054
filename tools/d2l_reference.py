"""对照用的 d2l 0.17.6：为它准备数据目录（parity 测试和 make bench 共用）。

d2l 0.17.6 在当前目录的 '../data' 里找数据文件，Fashion-MNIST 则由 torchvision 从
'../data/FashionMNIST/raw' 读取解压后的文件。这里用本书数据层里已校验的文件把这些位置填好，
对照时就不必联网。
"""
import gzip
import shutil
from pathlib import Path

import d2l_local


def prepare_reference_root(root):
    """在 root 下建好 data/ 和工作目录 work/，返回 work/（对照时把当前目录切到这里）。"""
    raw = Path(root) / 'data' / 'FashionMNIST' / 'raw'
    raw.mkdir(parents=True)
    for gz in d2l_local.hub.fetch('fashion-mnist').glob('*.gz'):
        with gzip.open(gz, 'rb') as src, open(raw / gz.stem, 'wb') as dst:
            shutil.copyfileobj(src, dst)
    # d2l 的 download 在 '../data' 里找文件，哈希对得上就不再下载
    shutil.copy(d2l_local.hub.fetch('time_machine'), Path(root) / 'data')
    # 镜像里的 fra-eng.zip 与 d2l 登记的压缩包字节不同、内容（fra.txt）相同
    # （见 shared/data/SOURCES.md），所以让 d2l 按这份压缩包的哈希认它
    zip_path = shutil.copy(d2l_local.hub.fetch('fra-eng'),
                           Path(root) / 'data' / 'fra-eng.zip')
    from d2l import torch as reference
    reference.DATA_HUB['fra-eng'] = (reference.DATA_HUB['fra-eng'][0],
                                     d2l_local.hub.sha1_of(zip_path))
    (Path(root) / 'work').mkdir()
    return Path(root) / 'work'
