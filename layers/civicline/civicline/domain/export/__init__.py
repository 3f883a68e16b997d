"""Staff exports of applications (CSV by presigned link), survey counts, and the export watermark."""
