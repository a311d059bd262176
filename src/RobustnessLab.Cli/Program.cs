using static TorchSharp.torch;
var x = randn(3, 3, requires_grad: true);
var y = (x * x).sum();
var g = autograd.grad(new[] { y }, new[] { x })[0];
Console.WriteLine($"ok {g.shape[0]} {TorchSharp.torch.__version__}");
return 0;
