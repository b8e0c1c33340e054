# 《动手学深度学习》可执行教材。新机器上只需两条命令：make install && make test
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# 只处理某一章，例如 make outputs CHAPTER=chapter_preliminaries
CHAPTER ?=
NOTEBOOKS = $(shell $(BIN)/python tools/toc.py --notebooks $(CHAPTER))
# 网站用的 MathJax：构建时从 npm 安装，复制进网站，离线也能显示公式（不提交进仓库）
MATHJAX := _build/mathjax/mathjax
# make install 以 root 运行时从 Debian 安装的软件包：浏览器检查、中文字体、PDF 排版
DEBIAN_PACKAGES := chromium fonts-wqy-microhei fonts-noto-cjk texlive-xetex texlive-lang-chinese \
    texlive-latex-extra texlive-fonts-recommended fonts-freefont-otf latexmk librsvg2-bin poppler-utils

.PHONY: install test test-portable html pdf lab lib outputs bench clean

install:  ## 建立 .venv，安装依赖、本书的包 d2l_local 和对照用的 d2l 0.17.6
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m pip install --quiet --no-deps d2l==0.17.6
	@# 浏览器检查（网站、JupyterLab）用的 Chromium 和中文字体，排版 PDF 用的 XeLaTeX：有 apt-get 且是 root 时从 Debian 安装
	@if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEBIAN_PACKAGES) >/dev/null; \
	else echo "提示：浏览器检查需要 Chromium，make pdf 需要 XeLaTeX 等排版工具：apt-get install $(DEBIAN_PACKAGES)"; fi
	$(BIN)/python -c "import torch, torchvision, d2l_local; print('安装完成：torch', torch.__version__, '| CUDA 可用:', torch.cuda.is_available())"

# nbval 逐单元比对笔记本输出（比对规则见 tests/output_compare.py）
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tests/sanitize.cfg

test:  ## 快速模式下运行 tests/ 并用 nbval 逐单元比对所有笔记本的输出
	D2L_QUICK=1 $(BIN)/python -m pytest tests $(NOTEBOOKS) $(NBVAL)

# 另一台机器的模拟：可移植的 ATen 内核、AVX2 的 oneDNN 与 MKL、单线程（浮点结果的最后几位因此不同）
OTHER_CPU := ATEN_CPU_CAPABILITY=default ONEDNN_MAX_CPU_ISA=AVX2 MKL_ENABLE_INSTRUCTIONS=AVX2 OMP_NUM_THREADS=1

test-portable:  ## 在模拟的另一种 CPU 内核下再比对一次所有笔记本（CI 在 make test 之后运行）
	$(OTHER_CPU) D2L_QUICK=1 $(BIN)/python -m pytest $(NOTEBOOKS) $(NBVAL)

html: $(MATHJAX)/tex-mml-chtml.js  ## 用存储的输出构建网站（不执行笔记本）和笔记本压缩包，结果在 _build/html
	$(BIN)/jupyter-book build . --builder html -W -n --keep-going
	$(BIN)/python tools/package_notebooks.py

pdf:  ## 用存储的输出排版全书的 PDF（需要 XeLaTeX 和中文字体），结果在 _build/pdf/d2l-local.pdf
	$(BIN)/python tools/build_pdf.py

$(MATHJAX)/tex-mml-chtml.js:
	npm install --no-save --no-audit --no-fund --prefix _build/npm mathjax@3
	rm -rf $(MATHJAX) && mkdir -p $(dir $(MATHJAX))
	cp -r _build/npm/node_modules/mathjax/es5 $(MATHJAX)

lab:  ## 在 JupyterLab 中打开本书（以 root 运行时，例如在容器里，自动加上 --allow-root）
	$(BIN)/jupyter lab book $$( [ "$$(id -u)" = 0 ] && echo --allow-root )

lib:  ## 从书中的 #@save 单元重新生成 d2l_local
	$(BIN)/python tools/build_lib.py

outputs:  ## 完整模式下重新执行笔记本并保存输出（可用 CHAPTER=... 只跑一章）
	$(BIN)/python tools/run_notebooks.py $(NOTEBOOKS)

bench:  ## 与 d2l 0.17.6 在同一次运行中比较速度（可用 BENCH="lenet rnn" 只跑其中几项）
	$(BIN)/python tools/bench.py $(BENCH)

clean:
	rm -rf _build
