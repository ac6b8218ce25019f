"""What `/exportar` sends: the dataset folder the CLI writes, zipped, or the CSV file."""

from __future__ import annotations

import asyncio
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from bot.services import Services
from bot.storage import export_salt
from store.export_dataset import DATASET_FORMATS, DatasetFormat, export_csv, export_dataset
from store.export_rows import ExportFilters

EXPORT_FORMATS = (*DATASET_FORMATS, "csv")


@dataclass(frozen=True, slots=True)
class ExportFile:
    """The file to attach and the rows per config it holds (`csv` for a CSV file)."""

    path: Path
    rows: dict[str, int]

    @property
    def empty(self) -> bool:
        """Tell whether no config got a row."""
        return not any(self.rows.values())


async def write_export(services: Services, fmt: str, estado: str, work: Path) -> ExportFile:
    """Export the pairs in state `estado` under `work` as `pide-ayuda export --format fmt` does."""
    filters = ExportFilters(statuses=() if estado == "all" else (estado,))
    salt = export_salt(services.settings)
    if fmt == "csv":
        report = await export_csv(
            services.db, work / f"pide-ayuda-{estado}.csv", filters, salt=salt
        )
        return ExportFile(report.path, report.rows)
    name = f"pide-ayuda-{estado}-{fmt}"
    folder = work / name
    dataset_fmt = cast(DatasetFormat, fmt)  # one of DATASET_FORMATS: the command's choices
    report = await export_dataset(services.db, folder, filters, salt=salt, fmt=dataset_fmt)
    archive = await asyncio.to_thread(
        shutil.make_archive, str(work / name), "zip", root_dir=work, base_dir=name
    )
    return ExportFile(Path(archive), report.rows)
