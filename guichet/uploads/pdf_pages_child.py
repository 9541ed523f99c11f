"""The child process that renders a PDF's pages to PNG with PDFium (run by :mod:`.preview`).

It is started as a script (``python -I pdf_pages_child.py …``), not imported: it imports only
the standard library, pypdfium2 and Pillow, and limits its own memory and CPU time first, so
that a hostile or broken PDF can at worst make this process fail, never the web worker.

    pdf_pages_child.py PDF OUT_PREFIX WIDTH MAX_HEIGHT FIRST LAST

prints the number of pages, then writes pages FIRST..LAST (1-based, those that exist) to
``OUT_PREFIX<n>.png``, each ``WIDTH`` pixels wide (narrower when the page is very tall, so that it
stays within ``MAX_HEIGHT``). Each PNG is written to a temporary name and renamed, so a reader
never sees half a file. Exit status 0 when every page asked was written.
"""
import os
import resource
import sys

MEMORY_LIMIT = 1024 * 1024 * 1024  # bytes of address space
CPU_SECONDS = 20


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def main(argv: list[str]) -> int:
    pdf_path, out_prefix = argv[0], argv[1]
    width, max_height, first, last = (int(value) for value in argv[2:6])
    _limit()
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf_path)
    try:
        count = len(document)
        # the page count is this child's answer to its parent, on its standard output
        sys.stdout.write(f"{count}\n")
        sys.stdout.flush()
        for number in range(max(first, 1), min(last, count) + 1):
            page = document[number - 1]
            page_width, page_height = page.get_size()
            scale = min(width / page_width, max_height / page_height)
            image = page.render(scale=scale, rev_byteorder=True).to_pil()
            target = f"{out_prefix}{number}.png"
            temporary = f"{target}.{os.getpid()}.part"
            image.save(temporary, "PNG")
            os.replace(temporary, target)
            page.close()
    finally:
        document.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
