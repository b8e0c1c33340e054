"""数据层（d2l_local.hub）的行为测试：真实的 HTTP 服务器（127.0.0.1）加临时目录。"""
import gzip
import hashlib
import http.server
import io
import tarfile
import threading
import urllib.request
import zipfile
from pathlib import Path

import pytest

from d2l_local import hub

PAYLOAD = '时间旅行者（为方便起见我们这样称呼他）正在向我们讲解一个深奥的问题。\n'.encode() * 200
SHA1 = hashlib.sha1(PAYLOAD).hexdigest()
SHARED_DATA = Path(__file__).resolve().parents[2] / 'shared' / 'data'


class Handler(http.server.BaseHTTPRequestHandler):
    """/good/...：正确内容；/truncated/...：声明的长度比实际发送的多；
    /wrong/...：内容被篡改；其余路径：404。"""

    def do_GET(self):
        kind = self.path.strip('/').split('/')[0]
        self.server.requests.append(self.path)
        if kind == 'good':
            self._send(PAYLOAD, len(PAYLOAD))
        elif kind == 'truncated':
            self._send(PAYLOAD[:len(PAYLOAD) // 3], len(PAYLOAD))
        elif kind == 'wrong':
            self._send(PAYLOAD[::-1], len(PAYLOAD))
        else:
            self.send_error(404)

    def _send(self, body, declared_length):
        self.send_response(200)
        self.send_header('Content-Length', str(declared_length))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
        self.close_connection = True

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    httpd.requests = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """空缓存、无镜像、无系统副本；返回缓存目录。"""
    cache = tmp_path / 'cache'
    monkeypatch.setenv('D2L_DATA_DIR', str(cache))
    monkeypatch.delenv('D2L_DATA_MIRROR', raising=False)
    monkeypatch.delenv('D2L_DATA_URL', raising=False)
    monkeypatch.setattr(hub, '_verified', set())
    return cache


def register(monkeypatch, url, name='story', path='story.txt', system_dirs=(), **hashes):
    hashes.setdefault('sha1', SHA1)
    file = hub.DataFile(path, url, **hashes)
    monkeypatch.setitem(hub.REGISTRY, name, hub.Dataset((file,), system_dirs=system_dirs))
    return file


def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError('不应访问网络')
    monkeypatch.setattr(urllib.request, 'urlopen', refuse)


def leftovers(folder):
    return sorted(p.name for p in Path(folder).rglob('*') if p.is_file()) if Path(folder).exists() else []


def test_download_verifies_and_caches(server, isolated, monkeypatch):
    url = f'http://127.0.0.1:{server.server_port}/good/story.txt'
    register(monkeypatch, url)
    path = hub.fetch('story')
    assert path == isolated / 'story.txt'
    assert path.read_bytes() == PAYLOAD
    assert leftovers(isolated) == ['story.txt']
    # 第二次直接用缓存，不再访问服务器
    no_network(monkeypatch)
    assert hub.fetch('story') == path
    assert server.requests == ['/good/story.txt']


@pytest.mark.parametrize('kind, reason', [
    ('truncated', '下载'),
    ('wrong', '哈希不符'),
    ('missing', 'HTTP 404'),
])
def test_bad_download_raises_one_clear_error_and_leaves_nothing(server, isolated, monkeypatch, kind, reason):
    url = f'http://127.0.0.1:{server.server_port}/{kind}/story.txt'
    register(monkeypatch, url)
    with pytest.raises(hub.DataUnavailableError) as info:
        hub.fetch('story')
    message = str(info.value)
    assert reason in message
    assert 'story.txt' in message and url in message
    assert info.value.__cause__ is None and info.value.__suppress_context__
    assert leftovers(isolated) == []


def test_base_url_override(server, isolated, monkeypatch):
    register(monkeypatch, 'http://example.invalid/story.txt')
    monkeypatch.setenv('D2L_DATA_URL', f'http://127.0.0.1:{server.server_port}/good/')
    assert hub.fetch('story').read_bytes() == PAYLOAD
    assert server.requests == ['/good/story.txt']


def test_mirror_is_used_without_network(tmp_path, isolated, monkeypatch):
    mirror = tmp_path / 'mirror'
    (mirror / 'texts').mkdir(parents=True)
    (mirror / 'texts' / 'story.txt').write_bytes(PAYLOAD)
    register(monkeypatch, 'http://example.invalid/story.txt', path='texts/story.txt')
    monkeypatch.setenv('D2L_DATA_MIRROR', str(mirror))
    no_network(monkeypatch)
    path = hub.fetch('story')
    assert path == isolated / 'texts' / 'story.txt'
    assert path.read_bytes() == PAYLOAD


def test_corrupt_copies_are_never_used(tmp_path, server, isolated, monkeypatch):
    mirror = tmp_path / 'mirror'
    mirror.mkdir()
    (mirror / 'story.txt').write_bytes(PAYLOAD[:-1])          # 残缺的镜像副本
    isolated.mkdir(parents=True)
    (isolated / 'story.txt').write_bytes(b'corrupt')            # 损坏的缓存
    register(monkeypatch, f'http://127.0.0.1:{server.server_port}/good/story.txt')
    monkeypatch.setenv('D2L_DATA_MIRROR', str(mirror))
    assert hub.fetch('story').read_bytes() == PAYLOAD           # 最终下载了正确的文件
    assert server.requests == ['/good/story.txt']


def gz(data, level):
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode='wb', compresslevel=level, mtime=level) as f:
        f.write(data)
    return buffer.getvalue()


def test_debian_system_folder_is_used(tmp_path, isolated, monkeypatch):
    # 与 /usr/share/datasets/fashion-mnist 同样的布局；文件被重新压缩过，
    # 文件哈希与上游不同，靠解压后内容的哈希通过校验。
    system = tmp_path / 'usr' / 'share' / 'datasets' / 'fashion-mnist'
    system.mkdir(parents=True)
    upstream, debian = gz(PAYLOAD, 9), gz(PAYLOAD, 1)
    assert upstream != debian
    (system / 'images.gz').write_bytes(debian)
    register(monkeypatch, 'http://example.invalid/images.gz', name='images',
             path='fashion-mnist/images.gz', system_dirs=(str(system),),
             sha1=hashlib.sha1(upstream).hexdigest(), content_sha1=SHA1)
    no_network(monkeypatch)
    path = hub.fetch('images')
    assert path == isolated / 'fashion-mnist' / 'images.gz'
    assert gzip.decompress(path.read_bytes()) == PAYLOAD


def test_real_registry_points_at_debian_folder():
    assert '/usr/share/datasets/fashion-mnist' in hub.REGISTRY['fashion-mnist'].system_dirs


def test_offline_message_names_everything(tmp_path, isolated, monkeypatch):
    mirror = tmp_path / 'empty-mirror'
    mirror.mkdir()
    system = tmp_path / 'no-system-copy'
    url = 'http://127.0.0.1:9/timemachine.txt'    # 端口 9 上没有服务：等同于离线
    register(monkeypatch, url, name='tm', path='timemachine.txt', system_dirs=(str(system),))
    monkeypatch.setenv('D2L_DATA_MIRROR', str(mirror))
    with pytest.raises(hub.DataUnavailableError) as info:
        hub.fetch('tm')
    message = str(info.value)
    for expected in ['timemachine.txt', url, str(isolated / 'timemachine.txt'),
                     str(mirror / 'timemachine.txt'), str(system / 'timemachine.txt'),
                     'D2L_DATA_MIRROR', 'D2L_DATA_URL', SHA1]:
        assert expected in message, expected
    assert leftovers(isolated) == []


def test_unknown_name_lists_registry():
    with pytest.raises(KeyError, match='time_machine'):
        hub.fetch('no-such-dataset')


def make_zip(path, members):
    with zipfile.ZipFile(path, 'w') as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


@pytest.mark.parametrize('bad_name', ['../escape.txt', '/tmp/absolute.txt', 'a/../../escape.txt',
                                      'C:/windows.txt'])
def test_zip_member_escaping_target_is_refused(tmp_path, bad_name):
    archive = make_zip(tmp_path / 'bad.zip', {'fine.txt': b'ok', bad_name: b'evil'})
    target = tmp_path / 'out' / 'inner'
    with pytest.raises(hub.DataUnavailableError, match='拒绝解压'):
        hub.extract(archive, target)
    assert leftovers(tmp_path / 'out') == []        # 整体拒绝：一个文件都不写
    assert not (tmp_path / 'out' / 'escape.txt').exists()


def test_tar_member_escaping_target_is_refused(tmp_path):
    archive = tmp_path / 'bad.tar.gz'
    with tarfile.open(archive, 'w:gz') as tf:
        info = tarfile.TarInfo('../escape.txt')
        info.size = 4
        tf.addfile(info, io.BytesIO(b'evil'))
    with pytest.raises(hub.DataUnavailableError, match='拒绝解压'):
        hub.extract(archive, tmp_path / 'out')
    assert not (tmp_path / 'escape.txt').exists()


def test_tar_symlink_is_refused(tmp_path):
    archive = tmp_path / 'link.tar'
    with tarfile.open(archive, 'w') as tf:
        info = tarfile.TarInfo('innocent')
        info.type = tarfile.SYMTYPE
        info.linkname = '/etc/passwd'
        tf.addfile(info)
    with pytest.raises(hub.DataUnavailableError, match='链接'):
        hub.extract(archive, tmp_path / 'out')


def test_safe_zip_extracts_and_skips_macos_junk(tmp_path):
    archive = make_zip(tmp_path / 'fra-eng.zip', {'fra-eng/fra.txt': b'go .\tva !\n',
                                                  '__MACOSX/fra-eng/._fra.txt': b'junk'})
    target = hub.extract(archive)
    assert target == tmp_path
    assert (tmp_path / 'fra-eng' / 'fra.txt').read_bytes() == b'go .\tva !\n'
    assert not (tmp_path / '__MACOSX').exists()


@pytest.mark.skipif(not SHARED_DATA.is_dir(), reason='没有 ../shared/data 镜像')
@pytest.mark.parametrize('name', sorted(hub.REGISTRY))
def test_registry_hashes_accept_the_mirror(name, isolated, monkeypatch):
    """登记表里的每个数据集都能从真实镜像取得并通过校验（也就验证了登记的哈希）。"""
    monkeypatch.setenv('D2L_DATA_MIRROR', str(SHARED_DATA))
    no_network(monkeypatch)
    path = hub.fetch(name)
    assert path.exists()
    for file in hub.REGISTRY[name].files:
        assert hub.verify(isolated / file.path, file)
