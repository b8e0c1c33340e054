"""读取 _toc.yml：书中各页的顺序、编号和标题。

    python tools/toc.py --notebooks                      # 全部笔记本，按书的顺序
    python tools/toc.py --notebooks chapter_preliminaries  # 只列某一章
"""
import argparse
import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Page:
    path: Path          # 源文件（.ipynb 或 .md），相对仓库根目录
    number: str         # 例如 '2.4'；不编号的页为 ''

    @property
    def is_notebook(self):
        return self.path.suffix == '.ipynb'

    @property
    def chapter(self):
        """所在章的目录名，例如 'chapter_preliminaries'；前言等页为 ''。"""
        parts = self.path.parts
        return parts[1] if len(parts) > 2 else ''

    @property
    def slug(self):
        """不带扩展名的相对路径，例如 'chapter_preliminaries/calculus'。"""
        return self.path.relative_to('book').with_suffix('').as_posix()

    def markdown(self, root=ROOT):
        """页中的全部 Markdown 文本（笔记本取其 Markdown 单元）。"""
        source = (root / self.path).read_text(encoding='utf-8')
        if not self.is_notebook:
            return source
        cells = json.loads(source)['cells']
        return '\n\n'.join(''.join(c['source']) for c in cells if c['cell_type'] == 'markdown')

    def title(self, root=ROOT):
        """页中第一个一级标题。"""
        match = re.search(r'^# (.+)$', self.markdown(root), flags=re.MULTILINE)
        return match.group(1).strip() if match else ''


def _resolve(entry, root):
    for suffix in ('.ipynb', '.md'):
        candidate = Path(entry + suffix)
        if (root / candidate).exists():
            return candidate
    return Path(entry)   # 不存在的条目：不算笔记本，由结构测试报告


def pages(root=ROOT):
    """按书的顺序列出 _toc.yml 里的每一页。"""
    toc = yaml.safe_load((root / '_toc.yml').read_text(encoding='utf-8'))
    result = [Page(_resolve(toc['root'], root), '')]
    for part in toc.get('parts', [{'chapters': toc.get('chapters', [])}]):
        numbered = bool(part.get('numbered'))
        for chapter_number, chapter in enumerate(part.get('chapters', []), start=1):
            result.append(Page(_resolve(chapter['file'], root),
                               str(chapter_number) if numbered else ''))
            for section_number, section in enumerate(chapter.get('sections', []), start=1):
                number = f'{chapter_number}.{section_number}' if numbered else ''
                result.append(Page(_resolve(section['file'], root), number))
    return result


def notebooks(chapter=None, root=ROOT):
    return [p for p in pages(root) if p.is_notebook and chapter in (None, p.chapter)]


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--notebooks', nargs='?', const='', metavar='CHAPTER',
                        help='列出笔记本路径（可只列某一章）')
    args = parser.parse_args()
    for page in notebooks(args.notebooks or None):
        print(page.path.as_posix())
