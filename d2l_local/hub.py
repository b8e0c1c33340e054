"""数据层：本书用到的每个数据文件都登记在 ``REGISTRY`` 里，使用前一律校验。

这是手写的支撑模块（不由 #@save 单元生成），也是本书唯一的数据登记表：每个文件的地址和
哈希只写在这里。书中的 ``download`` 等函数建立在它之上，经典 d2l 格式的 ``DATA_HUB`` 由
``d2l_data_hub()`` 从这张表导出。

找一个文件时依次查看下面几处，找到一份校验通过的副本就停下：

1. 缓存目录：默认是仓库里的 ``data/``，环境变量 ``D2L_DATA_DIR`` 可以改；
2. 本地镜像目录：环境变量 ``D2L_DATA_MIRROR``（可用 ``os.pathsep`` 分隔多个目录）；
3. 系统里的副本：例如 Debian 包 ``dataset-fashion-mnist`` 装在
   ``/usr/share/datasets/fashion-mnist`` 的文件；
4. 下载：默认地址见登记表；环境变量 ``D2L_DATA_URL`` 给出另一个按同样布局存放文件的地址前缀。

镜像和系统里的副本先复制进缓存再使用；下载先写入临时文件，校验通过后才改名，
所以缓存里永远不会出现残缺或被篡改的文件。
"""
import contextlib
import gzip
import hashlib
import http.client
import os
import shutil
import sys
import tarfile
import tempfile
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

D2L_DATA_URL = 'http://d2l-data.s3-accelerate.amazonaws.com/'
FASHION_MNIST_URL = 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/'


@dataclass(frozen=True)
class DataFile:
    """一个数据文件：在缓存和镜像中的相对路径、下载地址和 SHA-1。

    ``content_sha1`` 校验的是“内容”：``.gz`` 解压后的字节，或 ``.zip`` 中 ``member``
    的字节。重新压缩过的副本（例如 Debian 打包的 Fashion-MNIST）文件哈希不同，
    但内容哈希相同，同样可以通过校验。
    """
    path: str
    url: str
    sha1: str | None
    content_sha1: str | None = None
    member: str | None = None


@dataclass(frozen=True)
class Dataset:
    files: tuple[DataFile, ...]
    system_dirs: tuple[str, ...] = ()


def _fashion_mnist_file(name, content_sha1):
    # 上游只公布了 .gz 的 MD5，各处的 .gz 又常被重新压缩，所以只校验解压后的内容。
    return DataFile(f'fashion-mnist/{name}', FASHION_MNIST_URL + name, None,
                    content_sha1=content_sha1)


# 哈希值来自各文件的上游发布地址，见 shared/data/SOURCES.md。
REGISTRY = {
    'time_machine': Dataset((DataFile(
        'timemachine.txt', D2L_DATA_URL + 'timemachine.txt',
        '090b5e7e70c295757f55df93cb0a180b9691891a'),)),
    'kaggle_house_train': Dataset((DataFile(
        'kaggle_house_pred_train.csv', D2L_DATA_URL + 'kaggle_house_pred_train.csv',
        '585e9cc93e70b39160e7921475f9bcd7d31219ce'),)),
    'kaggle_house_test': Dataset((DataFile(
        'kaggle_house_pred_test.csv', D2L_DATA_URL + 'kaggle_house_pred_test.csv',
        'fa19780a7b011d9b009e8bff8e99922a8ee2eb90'),)),
    'fra-eng': Dataset((DataFile(
        'fra-eng.zip', D2L_DATA_URL + 'fra-eng.zip',
        '94646ad1522d915e7b0f9296181140edcf86a4f5',
        content_sha1='c43f99dce27311d3afd4d3e0716848194cfcc103',
        member='fra-eng/fra.txt'),)),
    'fashion-mnist': Dataset((
        _fashion_mnist_file('train-images-idx3-ubyte.gz', 'b9bd999c0106c9b8b4b0cefce58c9a6060f27095'),
        _fashion_mnist_file('train-labels-idx1-ubyte.gz', '4bccf37222e01638381eaa326bf730337a597267'),
        _fashion_mnist_file('t10k-images-idx3-ubyte.gz', '880056926db704f9f713097915f99da346f5b1d1'),
        _fashion_mnist_file('t10k-labels-idx1-ubyte.gz', '958122e8b4b97fd4e71eca2d08ef754ed77c3ad9'),
    ), system_dirs=('/usr/share/datasets/fashion-mnist',)),
}


class DataUnavailableError(RuntimeError):
    """找不到、下载不到或校验不通过的数据文件。消息里写明原因和手工补救的办法。"""


def data_dir():
    """缓存目录（``pathlib.Path``，不存在就创建）。"""
    configured = os.environ.get('D2L_DATA_DIR')
    if configured:
        folder = Path(configured).expanduser()
    else:
        checkout = Path(__file__).resolve().parents[1]
        if (checkout / '_toc.yml').exists():   # 在本书的仓库里：用仓库的 data/
            folder = checkout / 'data'
        else:
            folder = Path.home() / '.cache' / 'd2l_local'
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def mirror_dirs():
    """环境变量 ``D2L_DATA_MIRROR`` 给出的本地镜像目录。"""
    value = os.environ.get('D2L_DATA_MIRROR', '')
    return [Path(p).expanduser() for p in value.split(os.pathsep) if p]


def download_url(file):
    """下载地址：设置了 ``D2L_DATA_URL`` 时用它作前缀，否则用登记表里的地址。"""
    base = os.environ.get('D2L_DATA_URL')
    if base:
        return base.rstrip('/') + '/' + file.path
    return file.url


def sha1_of(path_or_stream):
    """文件（路径或已打开的二进制流）的 SHA-1 十六进制串。"""
    digest = hashlib.sha1()
    if isinstance(path_or_stream, (str, os.PathLike)):
        with open(path_or_stream, 'rb') as f:
            return sha1_of(f)
    while chunk := path_or_stream.read(1 << 20):
        digest.update(chunk)
    return digest.hexdigest()


def _content_sha1(path, file):
    if file.member is not None:
        with zipfile.ZipFile(path) as archive, archive.open(file.member) as member:
            return sha1_of(member)
    with gzip.open(path, 'rb') as stream:
        return sha1_of(stream)


_verified = set()   # 本进程里已校验过的 (路径, 大小, 修改时间)，避免重复计算哈希


def verify(path, file):
    """``path`` 是否是 ``file`` 的一份完好副本：文件哈希或内容哈希相符即可。"""
    path = Path(path)
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key in _verified:
        return True
    ok = file.sha1 is not None and sha1_of(path) == file.sha1
    if not ok and file.content_sha1 is not None:
        try:
            ok = _content_sha1(path, file) == file.content_sha1
        except (OSError, EOFError, KeyError, zipfile.BadZipFile):
            ok = False   # 残缺或损坏的压缩文件
    if ok:
        _verified.add(key)
    return ok


@contextlib.contextmanager
def _staged(target):
    """在 ``target`` 旁写一个临时文件：with 块正常结束才改名为 ``target``，否则删掉它。"""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=target.name + '.', suffix='.part')
    tmp = Path(tmp)
    try:
        with os.fdopen(fd, 'wb') as out:
            yield out, tmp
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _copy_into(source, target):
    """把已校验的 ``source`` 复制为 ``target``（先写临时文件，再改名）。"""
    with _staged(target) as (out, _), open(source, 'rb') as src:
        shutil.copyfileobj(src, out)


def _download(url, target, file, timeout=60):
    """下载并校验，通过后才成为 ``target``；失败时不留下任何文件。"""
    print(f'正在下载 {url} ...', file=sys.stderr, flush=True)
    with _staged(target) as (out, tmp):
        with urllib.request.urlopen(url, timeout=timeout) as response:
            expected = response.headers.get('Content-Length')
            shutil.copyfileobj(response, out)
        out.flush()
        received = out.tell()
        if expected is not None and received != int(expected):
            raise DataUnavailableError(
                f'下载不完整：收到 {received} 字节，服务器声明 {expected} 字节')
        if not verify(tmp, file):
            raise DataUnavailableError(
                f'下载到的内容与登记的哈希不符（得到的文件 SHA-1 为 {sha1_of(tmp)}）')


def _candidates(file, dataset):
    """镜像与系统目录中可能存放 ``file`` 的位置，按查找顺序。"""
    name = PurePosixPath(file.path).name
    places = []
    for mirror in mirror_dirs():
        places += [mirror / file.path, mirror / name]
    places += [Path(folder) / name for folder in dataset.system_dirs]
    return list(dict.fromkeys(places))   # 去重并保持顺序


def _expected_hashes(file):
    parts = []
    if file.sha1:
        parts.append(f'文件的 SHA-1 为 {file.sha1}')
    if file.content_sha1:
        inside = file.member or '解压后内容'
        parts.append(f'{inside}的 SHA-1 为 {file.content_sha1}')
    return '  校验标准：' + '，或'.join(parts) + '。'


def _unavailable(file, reason, searched):
    url = download_url(file)
    lines = [f'无法取得数据文件 {file.path}：{reason}',
             f'  下载地址：{url}',
             '  已查找的位置：']
    lines += [f'    - {place}：{status}' for place, status in searched]
    lines += ['  解决办法（任选其一）：',
              f'    1. 在能联网的机器上下载 {url}，放到 {data_dir() / file.path}；',
              '    2. 把存有该文件的目录设为环境变量 D2L_DATA_MIRROR；',
              '    3. 用环境变量 D2L_DATA_URL 指向一个按同样布局存放数据的下载地址。',
              _expected_hashes(file)]
    return DataUnavailableError('\n'.join(lines))


def fetch_file(file, dataset, cache_dir=None):
    """按查找顺序取得 ``file``，返回缓存中已校验的路径（缓存目录默认为 ``data_dir()``）。"""
    cached = (Path(cache_dir) if cache_dir is not None else data_dir()) / file.path
    searched = []
    if cached.exists():
        if verify(cached, file):
            return cached
        cached.unlink()   # 缓存里的坏文件绝不使用
        searched.append((cached, '存在但校验失败，已删除'))
    else:
        searched.append((cached, '不存在'))
    if not mirror_dirs():
        searched.append(('本地镜像', '未设置环境变量 D2L_DATA_MIRROR'))
    for place in _candidates(file, dataset):
        if not place.is_file():
            searched.append((place, '不存在'))
        elif not verify(place, file):
            searched.append((place, '存在但校验失败'))
        else:
            _copy_into(place, cached)
            return cached
    url = download_url(file)
    try:
        _download(url, cached, file)
    except urllib.error.HTTPError as e:
        raise _unavailable(file, f'服务器返回 HTTP {e.code}', searched) from None
    except (urllib.error.URLError, http.client.HTTPException, OSError) as e:
        reason = getattr(e, 'reason', e)
        raise _unavailable(file, f'无法下载（{reason}）', searched) from None
    except DataUnavailableError as e:
        raise _unavailable(file, str(e), searched) from None
    return cached


def fetch_url(url, sha1, cache_dir=None):
    """按下载地址和 SHA-1 取得一个没有登记的文件（读者自己登记进 ``DATA_HUB`` 的数据）。"""
    file = DataFile(url.rsplit('/', 1)[-1], url, sha1)
    return fetch_file(file, Dataset((file,)), cache_dir)


def d2l_data_hub():
    """经典 d2l 的 ``DATA_HUB`` 格式：{名字: (下载地址, SHA-1)}，由 ``REGISTRY`` 导出。

    只含一个文件、有文件哈希的数据集才有这种写法（Fashion-MNIST 由 torchvision 下载，不在其中）。
    """
    return {name: (dataset.files[0].url, dataset.files[0].sha1)
            for name, dataset in REGISTRY.items()
            if len(dataset.files) == 1 and dataset.files[0].sha1}


def fetch(name, cache_dir=None):
    """取得登记名为 ``name`` 的数据集，返回其路径（缓存目录默认为 ``data_dir()``）。

    只有一个文件的数据集返回该文件的路径；多个文件的返回它们所在的目录。
    """
    if name not in REGISTRY:
        raise KeyError(f'数据登记表里没有 {name!r}；已登记：{", ".join(sorted(REGISTRY))}')
    dataset = REGISTRY[name]
    paths = [fetch_file(file, dataset, cache_dir) for file in dataset.files]
    return paths[0] if len(paths) == 1 else paths[0].parent


def _check_member(name, target):
    """拒绝会逃出目标目录的成员名（绝对路径、盘符、含 ``..``）。"""
    pure = PurePosixPath(name.replace('\\', '/'))
    if pure.is_absolute() or '..' in pure.parts or (pure.parts and ':' in pure.parts[0]):
        raise DataUnavailableError(f'压缩包成员 {name!r} 会写到目标目录之外，拒绝解压')
    resolved = (target / pure).resolve()
    if not resolved.is_relative_to(target.resolve()):
        raise DataUnavailableError(f'压缩包成员 {name!r} 会写到目标目录之外，拒绝解压')


def extract(archive, target=None):
    """安全地解压 ``.zip``、``.tar``、``.tar.gz`` 到 ``target``（默认与压缩包同目录）。

    先检查全部成员，任何一个会逃出目标目录就整体拒绝；``__MACOSX/`` 下的附带文件被跳过。
    返回 ``target``。
    """
    archive = Path(archive)
    target = Path(target) if target is not None else archive.parent
    target.mkdir(parents=True, exist_ok=True)
    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as zf:
            members = [m for m in zf.namelist() if not m.startswith('__MACOSX/')]
            for member in members:
                _check_member(member, target)
            zf.extractall(target, members)
    elif tarfile.is_tarfile(archive):
        with tarfile.open(archive) as tf:
            members = tf.getmembers()
            for member in members:
                _check_member(member.name, target)
                if member.issym() or member.islnk():
                    raise DataUnavailableError(f'压缩包成员 {member.name!r} 是链接，拒绝解压')
            tf.extractall(target, members, filter='data')
    else:
        raise DataUnavailableError(f'{archive} 不是 zip 或 tar 压缩包')
    return target
