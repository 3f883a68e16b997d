"""Residents on LINE: following and blocking the account, 受信設定, and the event dispatcher."""
