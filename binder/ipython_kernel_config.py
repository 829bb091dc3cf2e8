# Kernel settings for this series (Makefile and Binder copy this file to <sys.prefix>/etc/ipython/).
# TensorFlow writes C++ start-up messages (timestamps, CUDA probing) straight to the process's
# stderr. Keep them in the terminal, not in the notebook cells: stored outputs stay readable,
# and nbval compares only what the Python code printed.
c = get_config()  # noqa: F821
c.IPKernelApp.capture_fd_output = False
