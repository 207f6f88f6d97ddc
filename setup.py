"""The wheel carries the templates and the migrations inside the package (thidua/templates,
thidua/migrations), so that `pip install thidua-*.whl` runs without the repository; in a checkout
they stay at the top level, where create_app finds them (thidua.resource_dir). Everything else is
in pyproject.toml."""
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

RESOURCES = ("templates", "migrations")


class BuildWithResources(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads them from the checkout
        for name in RESOURCES:
            target = Path(self.build_lib, "thidua", name)
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(name, target, ignore=shutil.ignore_patterns("__pycache__", "*.py[cod]"))


setup(cmdclass={"build_py": BuildWithResources})
