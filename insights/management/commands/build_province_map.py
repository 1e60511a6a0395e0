"""Write insights/data/provinces_svg.json from insights/data/provinces.geojson (see insights/geo.py)."""

from django.core.management.base import BaseCommand

from insights.geo import SVG_JSON, build_province_map_file


class Command(BaseCommand):
    help = "Project and simplify the province boundaries into the SVG paths the map pages draw."

    def handle(self, *args, **options):
        text = build_province_map_file()
        SVG_JSON.write_text(text, encoding="utf-8")
        self.stdout.write(f"{SVG_JSON}: {len(text.encode())} bytes")
