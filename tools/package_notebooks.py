"""把全书的笔记本打包成一个 zip，放进网站的 downloads/（make html 的最后一步）。

包里有：book/ 下的全部笔记本（按章分文件夹）、本书的软件包 d2l_local、安装它所需的
pyproject.toml 与 requirements.txt，以及一份简短的 README，说明怎样在自己的电脑上运行。
已经排版好的 PDF（make pdf）也一并复制进 downloads/。
"""
import shutil
import sys
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import toc  # noqa: E402

ROOT = toc.ROOT
DOWNLOADS = ROOT / '_build' / 'html' / 'downloads'
ARCHIVE = DOWNLOADS / 'd2l-local-notebooks.zip'
PDF = ROOT / '_build' / 'pdf' / 'd2l-local.pdf'
TOP = 'd2l-local-notebooks'

README = """# 动手学深度学习（PyTorch 版）· 笔记本

这个压缩包里是全书的 Jupyter 笔记本（book/ 下，每章一个文件夹）和本书的软件包 d2l_local。

## 运行

需要 Python 3.10 或更新的版本。在解压出的文件夹里：

    python -m venv .venv
    source .venv/bin/activate        # Windows：.venv\\Scripts\\activate
    pip install -r requirements.txt  # PyTorch 等依赖，约 5 GB
    pip install --no-deps -e .       # 本书的软件包 d2l_local
    jupyter lab book

笔记本的第一个代码单元写的是 `import d2l_local as d2l`。数据集在第一次用到时自动下载并校验，
缓存在 ~/.cache/d2l_local（环境变量 D2L_DATA_DIR 可改；离线时可把文件放进 D2L_DATA_MIRROR 指向的文件夹）。

只想快速确认代码能跑通：设置环境变量 D2L_QUICK=1 再启动 JupyterLab，训练会缩短，
每个笔记本会打印一行说明缩减了什么。
"""


def build():
    DOWNLOADS.mkdir(parents=True, exist_ok=True)
    notebooks = toc.notebooks()
    with zipfile.ZipFile(ARCHIVE, 'w', compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f'{TOP}/README.md', README)
        for name in ('pyproject.toml', 'requirements.txt'):
            archive.write(ROOT / name, f'{TOP}/{name}')
        for module in sorted((ROOT / 'd2l_local').glob('*.py')):
            archive.write(module, f'{TOP}/d2l_local/{module.name}')
        for page in notebooks:
            archive.write(ROOT / page.path, f'{TOP}/{page.path.as_posix()}')
    size = ARCHIVE.stat().st_size / 2 ** 20
    print(f'笔记本压缩包：{ARCHIVE.relative_to(ROOT)}（{len(notebooks)} 个笔记本，{size:.1f} MB）')
    publish_pdf()


def publish_pdf():
    """把排版好的 PDF 放进网站的 downloads/；make html 和 make pdf 都调用它，先后顺序不限。"""
    if PDF.exists():
        DOWNLOADS.mkdir(parents=True, exist_ok=True)
        shutil.copy(PDF, DOWNLOADS / PDF.name)
        print(f'PDF：复制了 {PDF.relative_to(ROOT)}')
    else:
        print('PDF：还没有排版（运行 make pdf），网站上的 PDF 链接暂时无效')


if __name__ == '__main__':
    build()
