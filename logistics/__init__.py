"""Intelligent logistics: tracking events per waybill, warehouses (bonded, overseas) and bonded stock."""
