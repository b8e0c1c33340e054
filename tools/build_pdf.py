"""用笔记本里存储的输出排版全书的 PDF（make pdf）。

两步，每一步都打印它在做什么、用了多久：
1. Jupyter Book（Sphinx 的 LaTeX 构建器）把全书写成 _build/latex/book.tex，SVG 图转成 PDF；
2. latexmk 用 XeLaTeX 排版（中文字体 Noto CJK），反复运行直到目录和交叉引用稳定。

结果复制到 _build/pdf/d2l-local.pdf；网站构建出来了的话，也复制一份到网站的 downloads/ 里（package_notebooks.publish_pdf）。
需要 xelatex、latexmk、rsvg-convert、pdfinfo、Noto CJK 中文字体和 Sphinx 默认的西文字体 FreeSerif（Debian：texlive-xetex
texlive-lang-chinese texlive-latex-extra latexmk librsvg2-bin poppler-utils fonts-noto-cjk fonts-freefont-otf）；make install 以 root 运行时会安装它们。
"""
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import package_notebooks  # noqa: E402

ROOT = package_notebooks.ROOT
LATEX = ROOT / '_build' / 'latex'
PDF = package_notebooks.PDF
TOOLS = {'xelatex': 'texlive-xetex', 'latexmk': 'latexmk', 'rsvg-convert': 'librsvg2-bin',
         'pdfinfo': 'poppler-utils', 'pdftotext': 'poppler-utils'}
FONTS = {'Noto Serif CJK SC': 'fonts-noto-cjk', 'FreeSerif': 'fonts-freefont-otf'}


def missing_tools():
    missing = [f'{tool}（Debian 软件包 {package}）' for tool, package in TOOLS.items()
               if shutil.which(tool) is None]
    fonts = subprocess.run(['fc-list'], capture_output=True, text=True).stdout \
        if shutil.which('fc-list') else ''
    missing += [f'字体 {font}（Debian 软件包 {package}）' for font, package in FONTS.items()
                if font not in fonts]
    return missing


def stage(title, command, cwd, log_name):
    """运行一步，输出写进日志文件；打印开始、结束和用时。失败时给出日志的最后几十行。"""
    print(f'[make pdf] {title} …', flush=True)
    start = time.perf_counter()
    log = ROOT / '_build' / log_name
    with open(log, 'w', encoding='utf-8') as out:
        result = subprocess.run(command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        tail = log.read_text(encoding='utf-8', errors='replace').splitlines()[-40:]
        sys.exit(f'[make pdf] {title}失败（{seconds:.0f} 秒），日志 {log}：\n' + '\n'.join(tail))
    print(f'[make pdf] {title}完成，用时 {seconds:.0f} 秒（日志 {log.relative_to(ROOT)}）', flush=True)
    return log


def main():
    missing = missing_tools()
    if missing:
        sys.exit('[make pdf] 缺少排版工具：' + '；'.join(missing))
    jupyter_book = Path(sys.executable).with_name('jupyter-book')
    stage('第 1 步：Sphinx 生成 LaTeX 源文件', [str(jupyter_book), 'build', '.', '--builder', 'latex'],
          ROOT, 'pdf-sphinx.log')
    log = stage('第 2 步：XeLaTeX 排版（latexmk，需要几分钟）',
                ['latexmk', '-xelatex', '-g', '-interaction=nonstopmode', '-halt-on-error', 'book.tex'],
                LATEX, 'pdf-xelatex.log')
    runs = len(re.findall(r'Running .xelatex', log.read_text(encoding='utf-8', errors='replace')))
    PDF.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(LATEX / 'book.pdf', PDF)
    info = subprocess.run(['pdfinfo', str(PDF)], capture_output=True, text=True).stdout
    pages = re.search(r'Pages:\s+(\d+)', info).group(1)
    print(f'[make pdf] 完成：{PDF.relative_to(ROOT)}，{pages} 页，XeLaTeX 运行了 {runs} 遍')
    if package_notebooks.DOWNLOADS.parent.exists():   # 网站已经构建：PDF 也放进它的 downloads/
        package_notebooks.publish_pdf()


if __name__ == '__main__':
    main()
