"""The ward's rich menus (normal and 防災モード) as data; see definition.py and menus.yaml."""
