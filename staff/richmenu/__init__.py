"""Rich menu tools: draw the images (render) and put the menus on LINE (deploy)."""
