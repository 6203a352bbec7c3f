"""copycar-assist: a troubleshooting assistant for the CopyCar.ai API."""

__version__ = "0.1.0"
